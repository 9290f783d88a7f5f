// `sessim export compose|k8s`: the project or manifests it writes, checked
// by their structure (and by `docker-compose config` where Debian's package
// is installed), and the round-trip line that plays a story against them.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "cluster/child_process.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "support/test_support.h"

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
                  "python3 app.py --port {port} --redis {redis_url}", "-o", out.path()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto compose = YAML::LoadFile(out.file("compose.yaml"));
  const auto services = compose["services"];
  for (const char* name : {"node-1", "node-2", "node-3", "front", "redis"}) {
    EXPECT_TRUE(services[name]) << name;
  }
  EXPECT_EQ(services.size(), 5u);
  EXPECT_EQ(services["node-2"]["image"].as<std::string>(), "shop:1.4");
  EXPECT_EQ(list_of(services["node-2"]["command"]),
            (std::vector<std::string>{"python3", "app.py", "--port", "8080", "--redis",
                                      "redis://redis:6379"}));
  EXPECT_EQ(services["node-3"]["environment"]["SESSIM_NAME"].as<std::string>(), "node-3");
  // The front is published on the host's loopback only.
  EXPECT_EQ(list_of(services["front"]["ports"]), std::vector<std::string>{"127.0.0.1:8080:80"});
  // Redis's arguments stay strings: "no" is not YAML's false.
  EXPECT_EQ(list_of(services["redis"]["command"]),
            (std::vector<std::string>{"redis-server", "--save", "", "--appendonly", "no"}));
  const auto nginx = testing::read_text_file(out.file("nginx.conf"));
  EXPECT_NE(nginx.find("ip_hash;"), std::string::npos) << nginx;
  for (const char* server :
       {"server \"node-1:8080\"", "server \"node-2:8080\"", "server \"node-3:8080\""}) {
    EXPECT_NE(nginx.find(server), std::string::npos) << server;
  }
  EXPECT_NE(nginx.find("listen \"0.0.0.0:80\";"), std::string::npos);
  // The round trip: the same story through the front, faults by Compose.
  const auto script = testing::read_text_file(out.file("run-story.sh"));
  EXPECT_NE(script.find("--target http://127.0.0.1:8080"), std::string::npos) << script;
  EXPECT_NE(script.find("'crash=docker compose -p sessim -f "), std::string::npos) << script;
  EXPECT_NE(script.find("kill {name}'"), std::string::npos) << script;
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
  }
  EXPECT_EQ(services["node-1"]["environment"]["SESSIM_SENTINELS"].as<std::string>(),
            "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379");
  EXPECT_NE(testing::read_text_file(out.file("sentinel.conf"))
                .find("sentinel monitor sessim "
                      "redis-master 6379 2"),
            std::string::npos);
  const auto haproxy = testing::read_text_file(out.file("haproxy.cfg"));
  EXPECT_NE(haproxy.find("cookie 'node-1'"), std::string::npos) << haproxy;
  EXPECT_NE(haproxy.find("bind '0.0.0.0:80'"), std::string::npos) << haproxy;
  if (find_program("docker-compose")) {
    EXPECT_EQ(std::system(("docker-compose -f " + out.file("compose.yaml") + " config -q").c_str()),
              0);
  }
}

TEST(Export, KubernetesManifestsOfTheSameTopology) {
  RunDirectory out;
  const auto result =
      run_sessim({"export", "k8s", "--nodes", "3", "--store", "redis", "--front", "nginx",
                  "--image", "shop:1.4", "--node-cmd",
                  "shop --name {name} --port {port} --redis {redis_url}", "-o", out.path()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto documents = YAML::LoadAllFromFile(out.file("sessim.yaml"));
  std::vector<std::string> kinds;
  for (const auto& document : documents) {
    kinds.push_back(document["kind"].as<std::string>() + "/" +
                    document["metadata"]["name"].as<std::string>());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"ConfigMap/sessim-front", "StatefulSet/node",
                                             "Service/node", "Deployment/front", "Service/front",
                                             "Deployment/redis", "Service/redis"}));
  const auto& nodes = documents[1]["spec"];
  EXPECT_EQ(nodes["replicas"].as<int>(), 3);
  // Pods node-1..node-3: the names stories use.
  EXPECT_EQ(nodes["ordinals"]["start"].as<int>(), 1);
  const auto app = nodes["template"]["spec"]["containers"][0];
  EXPECT_EQ(list_of(app["command"]),
            (std::vector<std::string>{"shop", "--name", "$(SESSIM_NAME)", "--port", "8080",
                                      "--redis", "redis://redis:6379"}));
  EXPECT_EQ(app["env"][0]["name"].as<std::string>(), "SESSIM_NAME");
  EXPECT_EQ(app["env"][0]["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(), "metadata.name");
  EXPECT_EQ(documents[2]["spec"]["clusterIP"].as<std::string>(), "None");
  const auto nginx = documents[0]["data"]["nginx.conf"].as<std::string>();
  for (const char* server : {"server \"node-1.node:8080\"", "server \"node-3.node:8080\""}) {
    EXPECT_NE(nginx.find(server), std::string::npos) << nginx;
  }
  const auto script = testing::read_text_file(out.file("run-story.sh"));
  EXPECT_NE(script.find("kubectl port-forward svc/front 8080:80"), std::string::npos) << script;
  EXPECT_NE(script.find("'crash=kubectl delete pod {name} --grace-period=0 --force'"),
            std::string::npos)
      << script;
  const auto sentinel = run_sessim({"export", "k8s", "--store", "redis-sentinel", "--front",
                                    "nginx", "--image", "a", "-o", out.file("other")});
  EXPECT_EQ(sentinel.exit_code, kExitUsage);
  EXPECT_NE(sentinel.err.find("export compose, which runs the sentinels"), std::string::npos)
      << sentinel.err;
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
