#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "deploy/deployment_export.h"
#include "front/server_config.h"

// What the Compose and Kubernetes exports share: the values each replica is
// told, the front's plan and files, the checks before anything is written,
// and the one quoting layer both formats need.
namespace sessim::deploy_parts {

// Above 1024: the official HAProxy image runs as a user that may not bind
// port 80.
inline constexpr int kFrontPortInContainer = 8000;
inline constexpr const char* kMasterName = "sessim";
inline constexpr const char* kNginxImage = "nginx:stable";
inline constexpr const char* kHaproxyImage = "haproxy:2.6";
// Where a container's names are answered: Docker's embedded DNS on a
// project's own network, the cluster's DNS in Kubernetes. nginx needs it
// named; HAProxy reads the container's resolv.conf.
inline constexpr const char* kDockerResolver = "127.0.0.11";
inline constexpr const char* kClusterResolver = "kube-dns.kube-system.svc.cluster.local";

std::string node_name(int index);
std::string sentinel_addresses();

// One quoting layer for Compose and for Kubernetes alike: both read "$" in
// a value (Compose's ${VAR}, Kubernetes' $(VAR)) and both take "$$" for a
// literal one.
std::string literal_dollars(const std::string& value);

// What each replica is told, as sessim tells command nodes: the same
// placeholders, and SESSIM_* variables for apps that read their environment
// (sessim's own node reads them all).
std::map<std::string, std::string> node_values(const ExportPlan& plan, int index,
                                               const std::string& redis_host);
// "SESSIM_REDIS_URL" for "redis_url".
std::string variable_of(const std::string& placeholder);
// The replica's command line, "$" escaped; empty for the image's own.
std::vector<std::string> node_command(const ExportPlan& plan,
                                      const std::map<std::string, std::string>& values);

// The front as a deployment runs it: following the nodes by name.
ServerFrontPlan front_plan(const ExportPlan& plan, const std::string& node_prefix,
                           const std::string& resolver);
std::string front_config_name(const ExportPlan& plan);
std::string front_config(const ServerFrontPlan& front);
std::vector<std::string> front_command(const ExportPlan& plan);
std::string front_image(const ExportPlan& plan);

// A flow list of double-quoted strings: YAML 1.1 would read an argument
// "no" as false, "6379" as a number.
void emit_list(YAML::Emitter& out, const std::vector<std::string>& items);

// What no deployment can do, refused before anything is written.
void check_exportable(const ExportPlan& plan);

}  // namespace sessim::deploy_parts
