#include <gtest/gtest.h>
#include <signal.h>

int main(int argc, char** argv) {
  // As in the sessim binary: a peer that hangs up must not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
