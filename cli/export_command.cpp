#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/command_options.h"
#include "common/errors.h"
#include "common/grammar.h"
#include "common/text.h"
#include "deploy/deployment_export.h"
#include "scenario/builtin_scenarios.h"
#include "scenario/scenario_loader.h"
#include "sys/child_process.h"

namespace sessim::cli {
namespace {

// The export's folder, opened once: every file is made inside it by name
// (openat), never through a link. An entry that is a link is refused, even
// with --force; a file is written to a fresh temporary name (O_EXCL) and
// renamed over its place, so that a crash leaves the old or the new file.
class ExportFolder {
 public:
  explicit ExportFolder(std::string path) : path_(std::move(path)) {
    std::error_code error;
    std::filesystem::create_directories(path_, error);
    if (error) throw EnvironmentError(fmt::format("cannot create {}: {}", path_, error.message()));
    fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) {
      throw EnvironmentError(fmt::format("cannot open {}: {}", path_, std::strerror(errno)));
    }
  }
  ~ExportFolder() { ::close(fd_); }
  ExportFolder(const ExportFolder&) = delete;
  ExportFolder& operator=(const ExportFolder&) = delete;

  // Throws UsageError for an entry that is a link, or that exists without
  // --force.
  void check(const std::string& name, bool force) const {
    struct stat entry {};
    if (::fstatat(fd_, name.c_str(), &entry, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (S_ISLNK(entry.st_mode)) {
      throw UsageError(
          fmt::format("{}/{} is a symbolic link; export does not write through "
                      "links (remove it, or choose another folder)",
                      path_, name));
    }
    if (!S_ISREG(entry.st_mode)) {
      throw UsageError(fmt::format("{}/{} exists and is not a regular file", path_, name));
    }
    if (!force)
      throw UsageError(fmt::format("{}/{} exists; give --force to overwrite it", path_, name));
  }

  void write(const std::string& name, const std::string& text, mode_t mode) const {
    const auto temporary = fmt::format(".{}.sessim-{}", name, ::getpid());
    const int fd = ::openat(fd_, temporary.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw EnvironmentError(
          fmt::format("cannot write {}/{}: {}", path_, name, std::strerror(errno)));
    }
    bool written = ::fchmod(fd, mode) == 0;
    for (std::string_view rest = text; written && !rest.empty();) {
      const auto count = ::write(fd, rest.data(), rest.size());
      if (count < 0 && errno == EINTR) continue;
      written = count > 0;
      if (written) rest.remove_prefix(static_cast<std::size_t>(count));
    }
    if (::close(fd) != 0 || !written ||
        ::renameat(fd_, temporary.c_str(), fd_, name.c_str()) != 0) {
      ::unlinkat(fd_, temporary.c_str(), 0);
      throw EnvironmentError(fmt::format("cannot write {}/{}", path_, name));
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// An image reference as Docker and Kubernetes read it: registry, path, tag
// and digest characters only.
void check_image(const std::string& image) {
  const bool fits = !image.empty() && image.size() <= 255 &&
                    image.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789._-/:@") == std::string::npos;
  if (!fits) {
    throw UsageError(
        fmt::format("--image '{}' is not an image reference (letters, digits and "
                    "._-/:@, such as registry.example/app:1.2)",
                    printable(image, 80)));
  }
}

void refuse_controls(const std::string& value, std::string_view what) {
  if (const auto problem = control_character_problem(value); !problem.empty()) {
    throw UsageError(fmt::format("{} '{}' holds {}", what, printable(value, 80), problem));
  }
}

// The story run-story.sh plays, as it will name it: a file, checked now
// and named by its absolute path (the script runs from anywhere), or a
// built-in story's name.
std::string checked_story(const std::string& story) {
  refuse_controls(story, "--story");
  std::error_code error;
  if (std::filesystem::is_regular_file(story, error)) {
    load_scenario_file(story);  // a bad story is refused here, at its file:line:col
    return std::filesystem::absolute(story).lexically_normal().string();
  }
  for (const auto& builtin : builtin_scenarios()) {
    if (builtin.name == story) return story;
  }
  throw UsageError(
      fmt::format("--story {}: no such file, nor a built-in story (sessim list names them)",
                  printable(story, 80)));
}

}  // namespace

int run_export(const ExportOptions& options) {
  const auto& flags = options.cluster;
  if (flags.stores.size() > 1)
    throw UsageError("export writes one store: --store local, redis or redis-sentinel");
  ExportPlan plan;
  if (flags.nodes) plan.nodes = *flags.nodes;
  plan.store = flags.stores.empty() ? StoreKind::redis : flags.stores.front();
  plan.front = *flags.front;
  if (flags.balancer) plan.strategy = *flags.balancer;
  plan.hash_key = flags.hash_key.value_or("cookie:SESSION");
  if (flags.health_check) plan.health.check_interval_ms = flags.health_check->count();
  if (flags.max_fails) plan.health.max_fails = *flags.max_fails;
  if (flags.fail_timeout) plan.health.fail_timeout_ms = flags.fail_timeout->count();
  if (flags.upstream_timeout) plan.upstream_timeout = *flags.upstream_timeout;
  if (flags.session_timeout_s) plan.session_timeout_s = *flags.session_timeout_s;
  plan.command = flags.node_cmd;
  plan.image = options.image;
  plan.app_port = options.app_port;
  plan.published_port = options.published_port;
  plan.name = options.name;
  plan.k8s_namespace = options.k8s_namespace;
  plan.front_image = options.front_image;
  plan.redis_image = options.redis_image;
  plan.health_path = options.health_path;
  plan.health_command = options.health_command;
  check_image(plan.image);
  if (!plan.front_image.empty()) check_image(plan.front_image);
  check_image(plan.redis_image);
  refuse_controls(plan.command, "--node-cmd");
  refuse_controls(plan.health_command, "--health-cmd");
  const bool k8s = options.kind == "k8s";
  const auto files = k8s ? export_k8s(plan) : export_compose(plan);
  const auto story = checked_story(options.story);

  const auto folder = std::filesystem::absolute(options.out).lexically_normal().string();
  refuse_controls(folder, "the folder");
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.name);
  names.push_back("run-story.sh");
  const ExportFolder out(folder);
  for (const auto& name : names) out.check(name, options.force);
  for (const auto& file : files) out.write(file.name, file.text, 0644);
  const auto sessim = own_executable();
  out.write(
      "run-story.sh",
      k8s ? k8s_script(plan, folder, story, sessim) : compose_script(plan, folder, story, sessim),
      0755);
  const auto script = shell_quote(folder + "/run-story.sh");
  fmt::print("sessim: wrote {} into {}\n", fmt::join(names, ", "), folder);
  fmt::print("  start it:  {} up\n", script);
  fmt::print(
      "  play:      {} (sessim run {} --target http://127.0.0.1:{} with --fault-cmd for "
      "crash, stop and restart)\n",
      script, shell_quote(story), plan.published_port);
  fmt::print("  stop it:   {} down\n", script);
  if (plan.strategy == StrategyKind::ip_hash) {
    fmt::print(
        "note: with ip-hash the front sees every browser at one address ({}), so all of a "
        "story's browsers land on one node; stories about address groups need the local run\n",
        k8s ? "kubectl port-forward's" : "docker-proxy's, on the project's network");
  }
  return kExitOk;
}

}  // namespace sessim::cli
