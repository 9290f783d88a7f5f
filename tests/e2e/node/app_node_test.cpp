#include "node/app_node.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <thread>
#include <vector>

#include "net/cookie.h"
#include "net/http_client.h"
#include "node/session_id.h"
#include "node/store/local_session_store.h"
#include "node/store/redis_session_store.h"
#include "play/transport.h"
#include "support/browser.h"
#include "support/test_support.h"

namespace sessim {
namespace {

// An AppNode named node-a on a free loopback port.
class RunningNode : public testing::ServingInThread<AppNode> {
 public:
  explicit RunningNode(std::unique_ptr<SessionStore> store,
                       const Clock& clock = SystemClock::instance(), int timeout_s = 1800)
      : ServingInThread(
            NodeConfig{"node-a", "127.0.0.1", 0, timeout_s, MissPolicy::create, std::nullopt},
            std::move(store), clock) {}
  Browser browser() const { return Browser("test", "127.0.0.1", port()); }
};

TEST(AppNode, SetThenGetReturnsTheValueInTheSameSession) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  const auto set = browser.get("/set-session?sessionVal=hello%20world");
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(set.body, "hello world");
  EXPECT_EQ(set.header("X-Sessim-Node"), "node-a");
  EXPECT_EQ(set.header("X-Sessim-Session"), "created");

  const auto get = browser.get("/get-session");
  EXPECT_EQ(get.body, "hello world");
  EXPECT_EQ(get.header("X-Sessim-Session"), "kept");
  EXPECT_TRUE(get.header_values("Set-Cookie").empty());
}

TEST(AppNode, SessionCookieIsBase64OfTheIdWithSpringAttributes) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  const auto set = browser.get("/set-session?sessionVal=x");
  const auto cookie = parse_set_cookie(set.header("Set-Cookie"));
  ASSERT_TRUE(cookie);
  EXPECT_EQ(cookie->name, "SESSION");
  EXPECT_TRUE(decode_session_cookie(cookie->value));
  EXPECT_EQ(cookie->path, "/");
  EXPECT_TRUE(cookie->http_only);
  EXPECT_EQ(cookie->same_site, "Lax");
}

TEST(AppNode, GetWithoutAValueAnswersAnEmpty200) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  const auto get = browser.get("/get-session");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "");
  EXPECT_EQ(get.header("X-Sessim-Session"), "created");
}

TEST(AppNode, UnknownSessionCookieIsReplacedWithANewSession) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  httplib::Client client("127.0.0.1", node.port());
  const auto stale = encode_session_cookie(generate_session_id());
  const auto response = client.Get("/get-session", {{"Cookie", "SESSION=" + stale}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->get_header_value("X-Sessim-Session"), "replaced");
  EXPECT_EQ(response->get_header_value("X-Sessim-Miss-Reason"), "unknown");
  const auto cookie = parse_set_cookie(response->get_header_value("Set-Cookie"));
  ASSERT_TRUE(cookie);
  EXPECT_NE(cookie->value, stale);
}

TEST(AppNode, ForgedCookieIsNeverTrusted) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  httplib::Client client("127.0.0.1", node.port());
  const auto response =
      client.Get("/get-session", {{"Cookie", "SESSION=c2Vzc2ltOnNlc3Npb246c2Vzc2lvbnM6Kg=="}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("X-Sessim-Session"), "replaced");
  EXPECT_EQ(response->get_header_value("X-Sessim-Miss-Reason"), "malformed");
}

TEST(AppNode, MissingParameterIsABadRequest) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  const auto set = browser.get("/set-session");
  EXPECT_EQ(set.status, 400);
  EXPECT_NE(set.body.find("sessionVal"), std::string::npos);
}

TEST(AppNode, UnknownPathIsNotFoundAndStillNamesTheNode) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  const auto response = browser.get("/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.header("X-Sessim-Node"), "node-a");
}

TEST(AppNode, OversizedHeaderIsRejectedAndTheNodeKeepsServing) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  httplib::Client client("127.0.0.1", node.port());
  const auto huge =
      client.Get("/get-session", {{"Cookie", "SESSION=" + std::string(64 * 1024, 'A')}});
  EXPECT_TRUE(!huge || huge->status >= 400);
  auto browser = node.browser();
  EXPECT_EQ(browser.get("/healthz").status, 200);
}

TEST(AppNode, IdleSessionExpires) {
  testing::ManualClock clock;
  RunningNode node(std::make_unique<LocalSessionStore>(clock), clock, 2);
  auto browser = node.browser();
  browser.get("/set-session?sessionVal=v");
  clock.advance_ms(1999);
  EXPECT_EQ(browser.get("/get-session").body, "v");
  clock.advance_ms(2000);
  const auto expired = browser.get("/get-session");
  EXPECT_EQ(expired.body, "");
  EXPECT_EQ(expired.header("X-Sessim-Session"), "replaced");
}

TEST(AppNode, RedisOutageIsA503WithTheReason) {
  testing::TestRedis redis;
  RedisStoreOptions options;
  options.url = parse_redis_url(redis.url());
  RunningNode node(std::make_unique<RedisSessionStore>(options));
  auto browser = node.browser();
  EXPECT_EQ(browser.get("/set-session?sessionVal=v").status, 200);
  redis.server->stop();
  const auto response = browser.get("/get-session");
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("session store unavailable"), std::string::npos);
  EXPECT_EQ(response.header("X-Sessim-Node"), "node-a");
}

// A Redis named by a host name (a container's service name, an /etc/hosts
// alias) is resolved at every connect: `localhost` through the resolver,
// and this machine's own name where it resolves to loopback (Debian's
// /etc/hosts has it so). A name that resolves to nothing says which.
TEST(AppNode, RedisByHostNameIsResolvedAtEveryConnect) {
  testing::TestRedis redis;
  std::vector<std::string> names{"localhost"};
  std::array<char, 256> own{};
  if (::gethostname(own.data(), own.size() - 1) == 0 && own[0] != '\0') {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    addrinfo* found = nullptr;
    if (::getaddrinfo(own.data(), nullptr, &hints, &found) == 0 && found) {
      const auto* address = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
      if ((ntohl(address->sin_addr.s_addr) >> 24) == 127) names.emplace_back(own.data());
      ::freeaddrinfo(found);
    }
  }
  for (const auto& name : names) {
    RedisStoreOptions options;
    options.url = parse_redis_url(fmt::format("redis://{}:{}", name, redis.server->port()));
    RunningNode node(std::make_unique<RedisSessionStore>(options));
    auto browser = node.browser();
    EXPECT_EQ(browser.get("/set-session?sessionVal=by-name").status, 200) << name;
    const auto read = browser.get("/get-session");
    EXPECT_EQ(read.status, 200) << name << ": " << read.body;
    EXPECT_EQ(read.body, "by-name") << name;
  }
  RedisStoreOptions nowhere;
  nowhere.url = parse_redis_url("redis://no-such-redis.invalid:6379");
  try {
    RunningNode node(std::make_unique<RedisSessionStore>(nowhere));
    const auto response = node.browser().get("/get-session");
    EXPECT_EQ(response.status, 503);
    EXPECT_NE(response.body.find("no-such-redis.invalid"), std::string::npos) << response.body;
  } catch (const StoreUnavailable& error) {
    EXPECT_NE(std::string(error.what()).find("no-such-redis.invalid"), std::string::npos)
        << error.what();
  }
}

// A paused Redis (SIGSTOP): session requests get 503 within one command
// timeout, never twice it; requests that need no session are not held up;
// once Redis runs again the node recovers by itself.
TEST(AppNode, PausedRedisIsA503WithinOneTimeoutAndHealthIsUnaffected) {
  testing::TestRedis redis;
  RedisStoreOptions options;
  options.url = parse_redis_url(redis.url());
  // 1 s: long enough that scheduling noise (sanitizer builds) is small
  // against it; a retry or a second wait in the queue would double it.
  options.command_timeout_ms = 1000;
  RunningNode node(std::make_unique<RedisSessionStore>(options));
  auto browser = node.browser();
  ASSERT_EQ(browser.get("/set-session?sessionVal=kept").status, 200);

  redis.server->pause();
  std::vector<std::thread> readers;
  std::vector<int> statuses(6, 0);
  std::vector<std::chrono::milliseconds> took(6);
  const auto cookie = browser.jar().cookie_header();
  for (int i = 0; i < 6; ++i) {
    readers.emplace_back([&, i] {
      // sessim's own client: cpp-httplib's is not built with ThreadSanitizer,
      // whose reports about its std::regex objects across threads are noise.
      HttpClient client("http", "127.0.0.1", node.port());
      HttpClientRequest request;
      request.target = "/get-session";
      request.headers = {{"Cookie", cookie}};
      const auto started = std::chrono::steady_clock::now();
      const auto response = client.send(request);
      took[i] = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      statuses[i] = response.status == 0 ? -1 : response.status;
    });
  }
  const auto health_started = std::chrono::steady_clock::now();
  EXPECT_EQ(Browser("probe", "127.0.0.1", node.port()).get("/healthz").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - health_started, std::chrono::milliseconds(200));
  for (auto& reader : readers) reader.join();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(statuses[i], 503) << i;
    // 6 requests pipelined behind each other: each gives up at its own
    // deadline, none waits for the one before it and then a timeout of its own.
    EXPECT_LT(took[i], std::chrono::milliseconds(1600)) << i;
  }

  redis.server->resume();
  EXPECT_TRUE(testing::wait_until([&] { return browser.get("/get-session").body == "kept"; }));
}

// How many clients Redis has connected, this question's own included.
int redis_clients(const std::string& url) {
  const auto parsed = parse_redis_url(url);
  redisContext* context = redisConnect(parsed.host.c_str(), parsed.port);
  if (context == nullptr || context->err) return -1;
  auto* reply = static_cast<redisReply*>(redisCommand(context, "CLIENT LIST"));
  int clients = 0;
  if (reply && reply->type == REDIS_REPLY_STRING) {
    for (const char c : std::string(reply->str, reply->len)) clients += c == '\n';
  }
  if (reply) freeReplyObject(reply);
  redisFree(context);
  return clients;
}

// Requests wait on Redis on their own loop, pipelined on that loop's one
// connection: 32 at once open no more connections than the node has loops
// (a pool of blocking connections opened one per request in flight).
TEST(AppNode, ConcurrentRequestsShareOneRedisConnectionPerLoop) {
  testing::TestRedis redis;
  RedisStoreOptions options;
  options.url = parse_redis_url(redis.url());
  EventLoops loops(2);
  testing::ServingInThread<AppNode> node(
      NodeConfig{"node-a", "127.0.0.1", 0, 1800, MissPolicy::create, std::nullopt},
      std::make_unique<RedisSessionStore>(options), SystemClock::instance(), loops);
  std::vector<std::thread> users;
  std::vector<int> ok(32, 0);
  for (int i = 0; i < 32; ++i) {
    users.emplace_back([&, i] {
      Browser browser("user", "127.0.0.1", node.port());
      const auto value = "v" + std::to_string(i);
      bool all = browser.get("/set-session?sessionVal=" + value).status == 200;
      for (int read = 0; read < 20; ++read) all = all && browser.get("/get-session").body == value;
      ok[i] = all ? 1 : 0;
    });
  }
  for (auto& user : users) user.join();
  for (int i = 0; i < 32; ++i) EXPECT_EQ(ok[i], 1) << "user " << i;
  EXPECT_LE(redis_clients(redis.url()), 2 + 1);
}

// 200 Cookie headers, each a well-formed session id: a few lookups, not 200.
TEST(AppNode, OnlyTheFirstFewSessionCookiesAreLookedUp) {
  testing::TestRedis redis;
  RedisStoreOptions options;
  options.url = parse_redis_url(redis.url());
  RunningNode node(std::make_unique<RedisSessionStore>(options));
  const auto script_calls = [&redis] {
    redisContext* context = redisConnect("127.0.0.1", redis.server->port());
    auto* reply = static_cast<redisReply*>(redisCommand(context, "INFO commandstats"));
    const std::string text = reply && reply->str ? reply->str : "";
    freeReplyObject(reply);
    redisFree(context);
    const auto at = text.find("cmdstat_evalsha:calls=");
    return at == std::string::npos ? 0LL : std::stoll(text.substr(at + 22));
  };
  httplib::Client client("127.0.0.1", node.port());
  ASSERT_EQ(client.Get("/healthz")->status, 200);
  httplib::Headers headers;
  for (int i = 0; i < 200; ++i) {
    headers.emplace("Cookie", "SESSION=" + encode_session_cookie(generate_session_id()));
  }
  const auto before = script_calls();
  const auto response = client.Get("/get-session", headers);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("X-Sessim-Session"), "replaced");
  EXPECT_LE(script_calls() - before, 4);
}

// Anonymous traffic makes a session per request; the node keeps at most its
// capacity, not one per request for the whole idle timeout.
TEST(AppNode, AnonymousTrafficIsBoundedByTheSessionCapacity) {
  auto owned = std::make_unique<LocalSessionStore>(SystemClock::instance(), SaveMode::delta, 50);
  const auto* store = owned.get();
  RunningNode node(std::move(owned));
  httplib::Client client("127.0.0.1", node.port());
  for (int i = 0; i < 300; ++i) ASSERT_EQ(client.Get("/get-session")->status, 200);
  EXPECT_EQ(store->size(), 50u);
  EXPECT_EQ(store->evicted(), 250u);
}

// One session's size is bounded: a write past it is 413 and changes nothing.
TEST(AppNode, AWriteThatWouldOverfillTheSessionIsRefused) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  ASSERT_EQ(browser.send("PUT", "/session/attributes/small", "kept").status, 200);
  const auto big = browser.send("PUT", "/session/attributes/big", std::string(300 * 1024, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("at most 262144"), std::string::npos) << big.body;
  EXPECT_EQ(browser.get("/session/attributes/big").status, 404);
  EXPECT_EQ(browser.get("/session/attributes/small").body, "kept");
  for (int i = 0; i < 99; ++i) {
    ASSERT_EQ(browser.send("PUT", "/session/attributes/a" + std::to_string(i), "v").status, 200)
        << i;
  }
  const auto one_too_many = browser.send("PUT", "/session/attributes/last", "v");
  EXPECT_EQ(one_too_many.status, 413);
  EXPECT_NE(one_too_many.body.find("at most 100"), std::string::npos) << one_too_many.body;
}

TEST(AppNode, BusyPortIsAnEnvironmentError) {
  RunningNode first(std::make_unique<LocalSessionStore>());
  AppNode second(
      NodeConfig{"node-b", "127.0.0.1", first.port(), 60, MissPolicy::create, std::nullopt},
      std::make_unique<LocalSessionStore>());
  EXPECT_THROW(second.bind(), std::exception);
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

std::string session_cookie_value(const HttpExchange& exchange) {
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    const auto cookie = parse_set_cookie(line);
    if (cookie && cookie->name == "SESSION") return cookie->value;
  }
  return "";
}

TEST(AppNodeScenarioEndpoints, AttributesCanBeSetReadAndRemoved) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  EXPECT_EQ(browser.send("PUT", "/session/attributes/cart", "2 books").status, 200);
  const auto read = browser.get("/session/attributes/cart");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, "2 books");
  EXPECT_EQ(browser.send("DELETE", "/session/attributes/cart").status, 204);
  const auto gone = browser.get("/session/attributes/cart");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.header("X-Sessim-Session"), "kept");
}

TEST(AppNodeScenarioEndpoints, AttributeNamesOutsideTheAlphabetAreNotRouted) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  EXPECT_EQ(browser.get("/session/attributes/a%20b").status, 404);
  EXPECT_EQ(browser.get("/session/attributes/" + std::string(65, 'a')).status, 404);
  EXPECT_EQ(browser.get("/session/attributes/a:b").header("X-Sessim-Session"), "");
}

TEST(AppNodeScenarioEndpoints, LoginRotatesTheIdKeepsAttributesAndRetiresTheOldId) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  browser.send("PUT", "/session/attributes/cart", "book");
  const auto before = *browser.cookie("SESSION");
  const auto login = browser.send("POST", "/login?user=alice");
  EXPECT_EQ(login.status, 200);
  const auto after = session_cookie_value(login);
  ASSERT_FALSE(after.empty());
  EXPECT_NE(after, before);
  EXPECT_EQ(browser.get("/session/attributes/cart").body, "book");
  EXPECT_EQ(browser.get("/session/attributes/user").body, "alice");

  httplib::Client stale("127.0.0.1", node.port());
  const auto old = stale.Get("/session/attributes/cart", {{"Cookie", "SESSION=" + before}});
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 404);
  EXPECT_EQ(old->get_header_value("X-Sessim-Session"), "replaced");
}

TEST(AppNodeScenarioEndpoints, LogoutDeletesTheSessionAndClearsTheCookie) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  browser.send("POST", "/login?user=alice");
  const auto cookie = *browser.cookie("SESSION");
  const auto logout = browser.send("POST", "/logout");
  EXPECT_EQ(logout.status, 200);
  EXPECT_NE(logout.header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_FALSE(browser.cookie("SESSION"));

  httplib::Client stale("127.0.0.1", node.port());
  const auto old = stale.Get("/session/attributes/user", {{"Cookie", "SESSION=" + cookie}});
  ASSERT_TRUE(old);
  EXPECT_EQ(old->get_header_value("X-Sessim-Session"), "replaced");
}

TEST(AppNodeScenarioEndpoints, LoginWithoutUserIsABadRequest) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  const auto login = browser.send("POST", "/login");
  EXPECT_EQ(login.status, 400);
  EXPECT_FALSE(browser.cookie("SESSION"));
}

TEST(AppNodeScenarioEndpoints, SessionEndpointShowsTheSessionAsJson) {
  RunningNode node(std::make_unique<LocalSessionStore>());
  auto browser = node.browser();
  browser.send("PUT", "/session/attributes/cart", "book");
  const auto session = browser.get("/session");
  EXPECT_EQ(session.status, 200);
  EXPECT_NE(session.body.find("\"cart\":\"book\""), std::string::npos) << session.body;
  EXPECT_NE(session.body.find("\"maxInactiveInterval\":1800"), std::string::npos);
}

}  // namespace
}  // namespace sessim
