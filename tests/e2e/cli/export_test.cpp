// `sessim export compose|k8s`: the project or manifests it writes, checked
// by their structure (and by `docker-compose config` where Debian's package
// is installed), and the round-trip line that plays a story against them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "net/loopback.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

std::vector<std::string> list_of(const YAML::Node& node) {
  std::vector<std::string> items;
  for (const auto& item : node) items.push_back(item.as<std::string>());
  return items;
}

TEST(Export, AComposeProjectOfTheRunsTopology) {
  RunDirectory out;
  const auto result =
      run_sessim({"export", "compose", "--nodes", "3", "--store", "redis", "--front", "nginx",
                  "--balancer", "ip-hash", "--image", "shop:1.4", "--node-cmd",
                  "python3 app.py --port {port} --redis {redis_url} --price $5", "-o", out.path()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto compose = YAML::LoadFile(out.file("compose.yaml"));
  const auto services = compose["services"];
  for (const char* name : {"node-1", "node-2", "node-3", "front", "redis"}) {
    EXPECT_TRUE(services[name]) << name;
    // Every part comes back when it exits by itself, and sits on the
    // network that has no route off the machine.
    EXPECT_EQ(services[name]["restart"].as<std::string>(), "on-failure") << name;
    EXPECT_EQ(list_of(services[name]["networks"])[0], "back") << name;
  }
  EXPECT_EQ(services.size(), 5u);
  EXPECT_TRUE(compose["networks"]["back"]["internal"].as<bool>());
  EXPECT_EQ(services["node-2"]["image"].as<std::string>(), "shop:1.4");
  // "$" is Compose's: written "$$", so that the app gets "$5".
  EXPECT_EQ(list_of(services["node-2"]["command"]),
            (std::vector<std::string>{"python3", "app.py", "--port", "8080", "--redis",
                                      "redis://redis:6379", "--price", "$$5"}));
  EXPECT_EQ(services["node-3"]["environment"]["SESSIM_NAME"].as<std::string>(), "node-3");
  EXPECT_EQ(services["node-3"]["environment"]["SESSIM_HOST"].as<std::string>(), "0.0.0.0");
  // A replica starts once Redis answers; an image sessim knows nothing of
  // has no health check, so the front waits for it to start only.
  EXPECT_EQ(services["node-1"]["depends_on"]["redis"]["condition"].as<std::string>(),
            "service_healthy");
  EXPECT_EQ(list_of(services["redis"]["healthcheck"]["test"]),
            (std::vector<std::string>{"CMD", "redis-cli", "-p", "6379", "ping"}));
  EXPECT_FALSE(services["node-1"]["healthcheck"]);
  EXPECT_EQ(services["front"]["depends_on"]["node-1"]["condition"].as<std::string>(),
            "service_started");
  // The front is published on the host's loopback only, from a port a
  // non-root front may bind.
  EXPECT_EQ(list_of(services["front"]["ports"]), std::vector<std::string>{"127.0.0.1:8080:8000"});
  EXPECT_EQ(list_of(services["front"]["networks"]), (std::vector<std::string>{"back", "edge"}));
  // Redis's arguments stay strings: "no" is not YAML's false.
  EXPECT_EQ(list_of(services["redis"]["command"]),
            (std::vector<std::string>{"redis-server", "--protected-mode", "no", "--save", "",
                                      "--appendonly", "no"}));
  // nginx balances over one relay per node, which reaches it by name through
  // Docker's DNS and names it from the configuration.
  const auto nginx = testing::read_text_file(out.file("nginx.conf"));
  EXPECT_NE(nginx.find("ip_hash;"), std::string::npos) << nginx;
  EXPECT_NE(nginx.find("resolver \"127.0.0.11:53\" valid=1s"), std::string::npos) << nginx;
  for (int node = 1; node <= 3; ++node) {
    EXPECT_NE(nginx.find(fmt::format("server \"unix:/tmp/relay-{}.sock\"", node)),
              std::string::npos);
    EXPECT_NE(nginx.find(fmt::format("set $sessim_node \"node-{}:8080\";", node)),
              std::string::npos);
    EXPECT_NE(nginx.find(fmt::format("add_header X-Sessim-Upstream \"node-{}\" always;", node)),
              std::string::npos);
  }
  EXPECT_EQ(nginx.find("$upstream_addr"), std::string::npos) << nginx;
  EXPECT_NE(nginx.find("listen \"0.0.0.0:8000\";"), std::string::npos);
  // The round trip: the same story through the front, faults by the script.
  const auto script = testing::read_text_file(out.file("run-story.sh"));
  EXPECT_NE(script.find("--target http://127.0.0.1:8080"), std::string::npos) << script;
  EXPECT_NE(script.find("'crash=" + out.path() + "/run-story.sh fault crash {name}'"),
            std::string::npos)
      << script;
  if (find_program("docker-compose")) {
    const auto check =
        std::system(("docker-compose -f " + out.file("compose.yaml") + " config -q").c_str());
    EXPECT_EQ(check, 0) << "docker-compose config refused the project";
  } else if (testing::ci_forbids_skips()) {
    ADD_FAILURE() << "CI=true: docker-compose is missing, and scripts/dev installs it in CI";
  } else {
    std::printf(
        "docker-compose is not installed (scripts/dev installs it in CI): its own check "
        "of the project skipped\n");
  }
}

TEST(Export, SessimsOwnNodeImageIsHealthCheckedAndConfiguredByItsEnvironment) {
  RunDirectory out;
  const auto result =
      run_sessim({"export", "compose", "--front", "haproxy", "--store", "local", "-o", out.path()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto services = YAML::LoadFile(out.file("compose.yaml"))["services"];
  EXPECT_EQ(services["node-1"]["image"].as<std::string>(), "sessim-node:local");
  EXPECT_FALSE(services["node-1"]["command"]);
  EXPECT_EQ(services["node-1"]["environment"]["SESSIM_PORT"].as<std::string>(), "8080");
  EXPECT_EQ(services["node-1"]["environment"]["SESSIM_STORE"].as<std::string>(), "local");
  const auto health = list_of(services["node-1"]["healthcheck"]["test"]);
  ASSERT_EQ(health.size(), 4u);
  EXPECT_NE(health[3].find("GET /healthz HTTP/1.0"), std::string::npos) << health[3];
  EXPECT_NE(health[3].find("$$status"), std::string::npos) << health[3];
  EXPECT_EQ(services["front"]["depends_on"]["node-1"]["condition"].as<std::string>(),
            "service_healthy");
  // HAProxy resolves the nodes while it runs, through the container's DNS.
  const auto haproxy = testing::read_text_file(out.file("haproxy.cfg"));
  EXPECT_NE(haproxy.find("parse-resolv-conf"), std::string::npos) << haproxy;
  EXPECT_NE(haproxy.find("server 'node-1' 'node-1:8080' weight 1 resolvers sessim init-addr "
                         "last,libc,none"),
            std::string::npos)
      << haproxy;
  // The same settings reach a `sessim node` from its environment alone.
  const auto port = std::to_string(pick_free_loopback_port());
  RunDirectory logs;
  auto spec = testing::sessim_child(logs, {"node"});
  spec.env = {{"SESSIM_PORT", port}, {"SESSIM_NAME", "node-7"}, {"SESSIM_STORE", "local"}};
  ChildProcess node(spec);
  const auto line = node.read_line(std::chrono::seconds(10));
  ASSERT_TRUE(line) << testing::read_text_file(logs.file("stderr.log"));
  EXPECT_NE(line->find("node-7 listening on http://127.0.0.1:" + port), std::string::npos) << *line;
}

TEST(Export, SentinelsAndHaproxy) {
  RunDirectory out;
  const auto result =
      run_sessim({"export", "compose", "--store", "redis-sentinel", "--front", "haproxy",
                  "--balancer", "cookie", "--image", "shop:1.4", "-o", out.path()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto services = YAML::LoadFile(out.file("compose.yaml"))["services"];
  for (const char* name :
       {"redis-master", "redis-replica", "sentinel-1", "sentinel-2", "sentinel-3"}) {
    EXPECT_TRUE(services[name]) << name;
    EXPECT_TRUE(services[name]["healthcheck"]) << name;
  }
  EXPECT_EQ(services["node-1"]["environment"]["SESSIM_SENTINELS"].as<std::string>(),
            "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379");
  EXPECT_EQ(services["node-1"]["depends_on"]["sentinel-2"]["condition"].as<std::string>(),
            "service_healthy");
  EXPECT_EQ(services["sentinel-1"]["depends_on"]["redis-master"]["condition"].as<std::string>(),
            "service_healthy");
  EXPECT_NE(testing::read_text_file(out.file("sentinel.conf"))
                .find("sentinel monitor sessim "
                      "redis-master 6379 2"),
            std::string::npos);
  const auto haproxy = testing::read_text_file(out.file("haproxy.cfg"));
  EXPECT_NE(haproxy.find("cookie 'node-1'"), std::string::npos) << haproxy;
  EXPECT_NE(haproxy.find("bind '0.0.0.0:8000'"), std::string::npos) << haproxy;
  if (find_program("docker-compose")) {
    EXPECT_EQ(std::system(("docker-compose -f " + out.file("compose.yaml") + " config -q").c_str()),
              0);
  }
}

TEST(Export, KubernetesManifestsOfTheSameTopology) {
  RunDirectory out;
  const auto result = run_sessim({"export", "k8s", "--nodes", "3", "--store", "redis", "--front",
                                  "nginx", "--image", "shop:1.4", "--node-cmd",
                                  "shop --name {name} --port {port} --redis {redis_url}", "--name",
                                  "shop", "--namespace", "lessons", "-o", out.path()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto documents = YAML::LoadAllFromFile(out.file("sessim.yaml"));
  std::vector<std::string> kinds;
  for (const auto& document : documents) {
    kinds.push_back(document["kind"].as<std::string>() + "/" +
                    document["metadata"]["name"].as<std::string>());
    // Everything in its namespace, under the export's prefix: nothing
    // called plain `node` or `redis` is overwritten.
    if (document["kind"].as<std::string>() != "Namespace") {
      EXPECT_EQ(document["metadata"]["namespace"].as<std::string>(), "lessons");
    }
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{
                       "Namespace/lessons", "ConfigMap/shop-front", "StatefulSet/shop-node-1",
                       "Service/shop-node-1", "StatefulSet/shop-node-2", "Service/shop-node-2",
                       "StatefulSet/shop-node-3", "Service/shop-node-3", "Deployment/shop-front",
                       "Service/shop-front", "Deployment/shop-redis", "Service/shop-redis"}));
  // One pod per node, named in its own template: no pod-index label (1.28)
  // and no start ordinal.
  const auto& node_2 = documents[4]["spec"];
  EXPECT_EQ(node_2["replicas"].as<int>(), 1);
  EXPECT_FALSE(node_2["ordinals"]);
  const auto app = node_2["template"]["spec"]["containers"][0];
  EXPECT_EQ(list_of(app["command"]),
            (std::vector<std::string>{"shop", "--name", "node-2", "--port", "8080", "--redis",
                                      "redis://shop-redis:6379"}));
  // Ready means serving; a replica that stops answering is restarted.
  EXPECT_EQ(app["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(app["livenessProbe"]["httpGet"]["port"].as<int>(), 8080);
  EXPECT_EQ(documents[5]["spec"]["selector"]["sessim/node"].as<std::string>(), "node-2");
  const auto nginx = documents[1]["data"]["nginx.conf"].as<std::string>();
  EXPECT_NE(nginx.find("set $sessim_node \"shop-node-3.lessons.svc.cluster.local:8080\";"),
            std::string::npos)
      << nginx;
  EXPECT_NE(nginx.find("resolver \"kube-dns.kube-system.svc.cluster.local:53\""),
            std::string::npos);
  const auto script = testing::read_text_file(out.file("run-story.sh"));
  EXPECT_NE(script.find("port-forward --address 127.0.0.1 \"svc/${prefix}front\" 8080:8000"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("k scale \"statefulset/$prefix$1\" --replicas=0"), std::string::npos);
  const auto sentinel = run_sessim({"export", "k8s", "--store", "redis-sentinel", "--front",
                                    "nginx", "--image", "a", "-o", out.file("other")});
  EXPECT_EQ(sentinel.exit_code, kExitUsage);
  EXPECT_NE(sentinel.err.find("export compose, which runs the sentinels"), std::string::npos)
      << sentinel.err;
}

TEST(Export, TheStoryIsCheckedAndNamedByItsAbsolutePath) {
  RunDirectory dir;
  const auto missing = run_sessim(
      {"export", "compose", "--front", "nginx", "--story", "my-story.yaml", "-o", dir.file("a")});
  EXPECT_EQ(missing.exit_code, kExitUsage);
  EXPECT_NE(missing.err.find("--story my-story.yaml: no such file, nor a built-in story"),
            std::string::npos)
      << missing.err;
  std::ofstream(dir.file("bad.yaml")) << "name: bad\nsteps:\n  - sett: {name: a, value: b}\n";
  const auto bad = run_sessim({"export", "compose", "--front", "nginx", "--story",
                               dir.file("bad.yaml"), "-o", dir.file("b")});
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_NE(bad.err.find(dir.file("bad.yaml") + ":3:"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("b/compose.yaml")));

  std::ofstream(dir.file("good.yaml")) << "name: good\nsteps:\n  - set: {name: a, value: b}\n";
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"export", "compose", "--front", "nginx", "--story", "good.yaml", "-o", "c"};
  spec.log_path = dir.file("export.log");
  // Run from the story's folder: the script names it from anywhere.
  const auto here = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  ChildProcess exporter(spec);
  const auto status = exporter.wait_for_exit(std::chrono::seconds(30));
  std::filesystem::current_path(here);
  ASSERT_EQ(status, 0) << testing::read_text_file(spec.log_path);
  EXPECT_NE(testing::read_text_file(dir.file("c/run-story.sh"))
                .find("local story=" + dir.file("good.yaml") + "\n"),
            std::string::npos);
}

// run-story.sh works with the Compose tool the machine has, and uses what
// that tool can do for each fault.
TEST(Export, TheScriptFindsTheComposeToolThereIs) {
  RunDirectory dir;
  ASSERT_EQ(run_sessim({"export", "compose", "--front", "nginx", "--name", "lesson", "-o",
                        dir.file("out")})
                .exit_code,
            0);
  const auto script = dir.file("out/run-story.sh");
  const auto compose = dir.file("out/compose.yaml");
  const std::vector<std::pair<std::string, std::string>> expected{
      {"docker compose", "docker compose -p lesson -f " + compose + " kill node-2\n"},
      {"docker-compose", "docker-compose -p lesson -f " + compose + " kill node-2\n"},
      {"podman compose", "podman compose -p lesson -f " + compose + " kill node-2\n"},
      // podman-compose has no kill: the container is killed by podman.
      {"podman-compose",
       "podman-compose -p lesson -f " + compose + " ps -q node-2\npodman kill c0ffee\n"}};
  for (const auto& [tool, calls] : expected) {
    RunDirectory run;
    const auto tools = testing::fake_compose_tools(run, tool);
    const auto fault = testing::run_with_path(script, {"fault", "crash", "node-2"}, tools.bin);
    EXPECT_EQ(fault.exit_code, 0) << tool << ": " << fault.err;
    EXPECT_EQ(testing::read_text_file(tools.calls), calls) << tool;
  }
  RunDirectory run;
  const auto none = testing::fake_compose_tools(run, "");
  const auto nothing = testing::run_with_path(script, {"fault", "stop", "node-1"}, none.bin);
  EXPECT_EQ(nothing.exit_code, 3);
  EXPECT_NE(nothing.err.find("no Compose tool found"), std::string::npos) << nothing.err;
  // A name that is not a node never reaches a tool.
  const auto odd = testing::run_with_path(script, {"fault", "crash", "redis"}, none.bin);
  EXPECT_EQ(odd.exit_code, 2);
  EXPECT_NE(odd.err.find("'redis' is not a node of this export"), std::string::npos) << odd.err;
}

TEST(Export, RefusesWhatADeploymentCannotDoAndKeepsEarlierFiles) {
  RunDirectory out;
  const auto builtin =
      run_sessim({"export", "compose", "--front", "builtin", "--image", "a", "-o", out.path()});
  EXPECT_EQ(builtin.exit_code, kExitUsage);
  EXPECT_NE(builtin.err.find("--front nginx or --front haproxy"), std::string::npos) << builtin.err;
  const auto cookie_in_nginx = run_sessim({"export", "compose", "--front", "nginx", "--balancer",
                                           "cookie", "--image", "a", "-o", out.path()});
  EXPECT_EQ(cookie_in_nginx.exit_code, kExitUsage);
  ASSERT_EQ(run_sessim({"export", "compose", "--front", "nginx", "--image", "a", "-o", out.path()})
                .exit_code,
            kExitOk);
  const auto again =
      run_sessim({"export", "compose", "--front", "nginx", "--image", "b", "-o", out.path()});
  EXPECT_EQ(again.exit_code, kExitUsage);
  EXPECT_NE(again.err.find("give --force"), std::string::npos) << again.err;
  EXPECT_NE(testing::read_text_file(out.file("compose.yaml")).find("image: a"), std::string::npos);
}

}  // namespace
}  // namespace sessim
