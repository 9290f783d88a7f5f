#include "vocab/cluster_settings.h"

#include <gtest/gtest.h>

#include <set>

namespace sessim {
namespace {

using std::chrono::milliseconds;

std::optional<milliseconds> duration_from(ClusterSetting setting, const char* text,
                                          SettingSource source, std::string* problem = nullptr) {
  return read_duration_setting(setting, text, source, problem);
}

}  // namespace

TEST(ClusterSettings, EveryKeyAndFlagIsDeclaredOnce) {
  std::set<std::string_view> keys, flags;
  for (const auto& spec : cluster_settings()) {
    EXPECT_TRUE(keys.insert(spec.key).second) << spec.key;
    if (!spec.flag.empty()) EXPECT_TRUE(flags.insert(spec.flag).second) << spec.flag;
    EXPECT_FALSE(spec.help.empty()) << spec.key;
    EXPECT_EQ(cluster_setting_for_key(spec.key), &spec);
  }
  EXPECT_EQ(cluster_setting_for_key("delay"), nullptr);
}

TEST(ClusterSettings, ABareNumberCountsInTheFlagsUnitAndFilesNeedTheUnit) {
  EXPECT_EQ(duration_from(ClusterSetting::fail_timeout, "2", SettingSource::command_line),
            milliseconds(2000));
  EXPECT_EQ(duration_from(ClusterSetting::health_check, "2", SettingSource::command_line),
            milliseconds(2));
  EXPECT_EQ(duration_from(ClusterSetting::node_delay, "300", SettingSource::command_line),
            milliseconds(300));
  std::string problem;
  EXPECT_FALSE(duration_from(ClusterSetting::node_delay, "1", SettingSource::file, &problem));
  EXPECT_NE(problem.find("node-delay"), std::string::npos) << problem;
  EXPECT_NE(problem.find("unit"), std::string::npos) << problem;
  EXPECT_EQ(duration_from(ClusterSetting::node_delay, "1s", SettingSource::file),
            duration_from(ClusterSetting::node_delay, "1000", SettingSource::command_line));
}

TEST(ClusterSettings, OneRangeWordedWithTheNameAsWritten) {
  std::string from_file, from_flag;
  EXPECT_FALSE(duration_from(ClusterSetting::fail_timeout, "2h", SettingSource::file, &from_file));
  EXPECT_FALSE(
      duration_from(ClusterSetting::fail_timeout, "2h", SettingSource::command_line, &from_flag));
  EXPECT_EQ(from_file, "fail-timeout: a duration from 1s to 1h; '2h' is 2h");
  EXPECT_EQ(from_flag, "a duration from 1s to 1h; '2h' is 2h");
  EXPECT_TRUE(duration_from(ClusterSetting::fail_timeout, "1h", SettingSource::file));
  EXPECT_FALSE(duration_from(ClusterSetting::upstream_timeout, "99ms", SettingSource::file));
  EXPECT_TRUE(duration_from(ClusterSetting::upstream_timeout, "100ms", SettingSource::file));
  EXPECT_FALSE(duration_from(ClusterSetting::node_delay, "10001ms", SettingSource::file));
}

TEST(ClusterSettings, TheSessionTimeoutIsWholeSeconds) {
  std::string problem;
  EXPECT_EQ(duration_from(ClusterSetting::session_timeout, "30m", SettingSource::file),
            milliseconds(1'800'000));
  EXPECT_FALSE(duration_from(ClusterSetting::session_timeout, "1500ms", SettingSource::command_line,
                             &problem));
  EXPECT_NE(problem.find("whole number of seconds"), std::string::npos) << problem;
}

TEST(ClusterSettings, CountsHaveTheirRange) {
  std::string problem;
  EXPECT_EQ(read_count_setting(ClusterSetting::nodes, "4096", SettingSource::file, nullptr), 4096);
  EXPECT_FALSE(read_count_setting(ClusterSetting::nodes, "4097", SettingSource::file, &problem));
  EXPECT_EQ(problem, "nodes: a whole number from 1 to 4096; '4097' is not");
  EXPECT_FALSE(
      read_count_setting(ClusterSetting::max_fails, "0", SettingSource::command_line, &problem));
  EXPECT_EQ(problem, "a whole number from 1 to 100; '0' is not");
}

}  // namespace sessim
