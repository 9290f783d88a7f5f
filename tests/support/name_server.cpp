#include "support/name_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <optional>
#include <stdexcept>
#include <vector>

namespace sessim::testing {
namespace {

struct Question {
  std::string name;  // lower case, without the final dot
  std::uint16_t type = 0;
  std::size_t end = 0;  // where the question ends in the query
};

std::optional<Question> read_question(const std::vector<unsigned char>& query) {
  if (query.size() < 12) return std::nullopt;
  Question question;
  std::size_t at = 12;
  while (at < query.size() && query[at] != 0) {
    const std::size_t length = query[at++];
    if (length > 63 || at + length > query.size()) return std::nullopt;
    if (!question.name.empty()) question.name += '.';
    for (std::size_t i = 0; i < length; ++i) {
      question.name += static_cast<char>(std::tolower(query[at + i]));
    }
    at += length;
  }
  if (at + 5 > query.size()) return std::nullopt;
  question.type = static_cast<std::uint16_t>(query[at + 1] << 8 | query[at + 2]);
  question.end = at + 5;
  return question;
}

}  // namespace

NameServer::NameServer() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("the test's name server cannot bind a loopback UDP port");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

NameServer::~NameServer() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::string NameServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

void NameServer::set(const std::string& name, const std::string& ipv4) {
  const std::lock_guard lock(mutex_);
  names_[name] = ipv4;
}

void NameServer::remove(const std::string& name) {
  const std::lock_guard lock(mutex_);
  names_.erase(name);
}

void NameServer::serve() {
  while (!stop_) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    std::vector<unsigned char> query(512);
    sockaddr_in peer{};
    socklen_t peer_length = sizeof(peer);
    const auto count = ::recvfrom(fd_, query.data(), query.size(), 0,
                                  reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (count <= 0) continue;
    query.resize(static_cast<std::size_t>(count));
    const auto question = read_question(query);
    if (!question) continue;
    std::optional<std::string> found;
    {
      const std::lock_guard lock(mutex_);
      if (const auto entry = names_.find(question->name); entry != names_.end()) {
        found = entry->second;
      }
    }
    // The header and question of the query, flagged as an answer.
    std::vector<unsigned char> answer(query.begin(),
                                      query.begin() + static_cast<long>(question->end));
    answer[2] = 0x84 | (query[2] & 0x01);  // QR, AA, the query's RD
    answer[3] = found ? 0x00 : 0x03;       // NOERROR or NXDOMAIN
    answer[4] = 0, answer[5] = 1;          // one question
    answer[6] = answer[7] = answer[8] = answer[9] = answer[10] = answer[11] = 0;
    in_addr ipv4{};
    if (found && question->type == 1 && ::inet_pton(AF_INET, found->c_str(), &ipv4) == 1) {
      answer[7] = 1;  // one answer: a pointer to the question's name
      const unsigned char record[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4};
      answer.insert(answer.end(), std::begin(record), std::end(record));
      const auto* bytes = reinterpret_cast<const unsigned char*>(&ipv4.s_addr);
      answer.insert(answer.end(), bytes, bytes + 4);
    }
    ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}

}  // namespace sessim::testing
