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
  if (flags.upstream_timeout) plan.upstream_timeout = *flags.upstream_timeout;
  if (flags.session_timeout_s) plan.session_timeout_s = *flags.session_timeout_s;
  plan.command = flags.node_cmd;
  plan.image = options.image;
  plan.app_port = options.app_port;
  plan.published_port = options.published_port;
  check_image(plan.image);
  refuse_controls(plan.command, "--node-cmd");
  refuse_controls(options.story, "--story");
  const bool k8s = options.kind == "k8s";
  const auto files = k8s ? export_k8s(plan) : export_compose(plan);

  const auto folder = std::filesystem::absolute(options.out).lexically_normal().string();
  refuse_controls(folder, "the folder");
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.name);
  names.push_back("run-story.sh");
  const ExportFolder out(folder);
  for (const auto& name : names) out.check(name, options.force);
  for (const auto& file : files) out.write(file.name, file.text, 0644);
  const auto start = k8s ? fmt::format("kubectl apply -f {}", shell_quote(folder + "/sessim.yaml"))
                         : fmt::format("docker compose -p {} -f {} up -d", plan.project,
                                       shell_quote(folder + "/compose.yaml"));
  out.write("run-story.sh",
            fmt::format("#!/bin/bash\n# Plays a story against the exported deployment, started "
                        "with:\n#   {}\n{}{}\n",
                        start, k8s ? "" : "exec ",
                        k8s ? k8s_round_trip_command(plan, options.story)
                            : round_trip_command(plan, folder, options.story)),
            0755);
  fmt::print("sessim: wrote {} into {}\n", fmt::join(names, ", "), folder);
  fmt::print("  start it:  {}\n", start);
  fmt::print(
      "  play:      {}/run-story.sh (sessim run {} --target http://127.0.0.1:{} with "
      "--fault-cmd for crash, stop and restart)\n",
      shell_quote(folder), shell_quote(options.story), plan.published_port);
  return kExitOk;
}

}  // namespace sessim::cli
