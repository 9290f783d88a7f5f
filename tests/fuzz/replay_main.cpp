// The main() of a fuzz target in a build without libFuzzer: every file of
// the directories (or files) named on the command line goes through the
// target once, so that the committed seed corpus, and every input a fuzzing
// run once found, stays a regression test of the ordinary suite.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& path) {
  if (!std::filesystem::is_directory(path)) return {path};
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& file : inputs_of(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::cerr << "cannot read " << file << "\n";
        return 2;
      }
      const std::string bytes{std::istreambuf_iterator<char>(in), {}};
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++replayed;
    }
  }
  if (replayed == 0) {
    std::cerr << "no inputs found\n";
    return 2;
  }
  std::cout << "replayed " << replayed << " inputs" << std::endl;
  // A target's long-lived state (the balancer and the event loops of
  // fuzz_upstream_response, function statics as libFuzzer needs them) is
  // not torn down: static destructors run in an order that left a serving
  // thread on a destroyed loop about once in 300 runs under load (SIGSEGV
  // at exit, after every input had passed). The inputs are what is tested.
  std::_Exit(0);
}
