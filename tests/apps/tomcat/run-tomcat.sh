#!/bin/sh
# One Tomcat 10 instance of tests/apps/tomcat, as a command node:
#
#   run-tomcat.sh PORT NAME BASE [SESSION_TIMEOUT_S]
#
# Each instance needs a CATALINA_BASE of its own with its port in
# server.xml; this makes one under BASE from Debian's tomcat10 files and the
# app's ROOT, then runs Tomcat in the foreground (exec: sessim's signals
# reach the JVM). Sessions live in each instance's memory (StandardManager;
# persistence across restarts is switched off, as a cluster without
# replication has it).
set -eu
port=$1 name=$2 base=$3 timeout=${4:-1800}
home=/usr/share/tomcat10
app=$(cd "$(dirname "$0")" && pwd)/ROOT
case "$port" in ''|*[!0-9]*) echo "run-tomcat.sh: port '$port' is not a number" >&2; exit 2 ;; esac
case "$timeout" in ''|*[!0-9]*) echo "run-tomcat.sh: timeout '$timeout' is not a number" >&2; exit 2 ;; esac
mkdir -p "$base/conf" "$base/logs" "$base/temp" "$base/work" "$base/webapps"
cp "$home/etc/web.xml" "$home/etc/catalina.properties" "$home/etc/logging.properties" "$base/conf/"
cat > "$base/conf/context.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Context>
  <Manager pathname="" />
</Context>
XML
cat > "$base/conf/server.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="$port" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000" />
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" />
    </Engine>
  </Service>
</Server>
XML
ln -sfn "$app" "$base/webapps/ROOT"
export CATALINA_HOME=$home CATALINA_BASE=$base SESSIM_NAME=$name
export JAVA_OPTS="-Dsessim.name=$name -Dsessim.timeout=$timeout -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
exec "$home/bin/catalina.sh" run
