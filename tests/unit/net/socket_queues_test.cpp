#include "net/socket_queues.h"

#include <gtest/gtest.h>

namespace sessim {
namespace {

// Lines as /proc/net/tcp writes them: local port 0x1F90 = 8080.
const char* kTable =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n"
    "   1: 0100007F:1F90 0100007F:C350 01 00000000:0000001A 00:00000000 00000000 0\n"
    "   2: 0100007F:1F90 0100007F:C351 01 00000000:00000000 00:00000000 00000000 0\n"
    "   3: 0100007F:1F91 0100007F:C352 01 00000000:00000040 00:00000000 00000000 0\n"
    "   4: 0100007F:C350 0100007F:1F90 01 00000000:00000010 00:00000000 00000000 0\n"
    "garbage line\n";

TEST(SocketQueues, CountsEstablishedConnectionsToThePortsWithUnreadBytes) {
  EXPECT_EQ(count_unread_connections(kTable, {8080}), 1);  // not the listener, not the client side
  EXPECT_EQ(count_unread_connections(kTable, {8080, 8081}), 2);
  EXPECT_EQ(count_unread_connections(kTable, {9000}), 0);
  EXPECT_EQ(count_unread_connections("", {8080}), 0);
}

}  // namespace
}  // namespace sessim
