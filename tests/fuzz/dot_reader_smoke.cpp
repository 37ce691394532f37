// Short, deterministic fuzzing of the DOT reader that runs in every build (GCC included): each corpus
// file, then N inputs made by mutating corpus files with byte edits, dictionary tokens and splices, all
// through the same harness as the libFuzzer target. Usage: dot_reader_smoke CORPUS_DIR DICT N [SEED]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Dictionary lines look like name="value" with \" and \\ escapes (the libFuzzer format).
std::vector<std::string> readDict(const std::filesystem::path& p) {
  std::vector<std::string> tokens;
  std::istringstream lines(readFile(p));
  for (std::string line; std::getline(lines, line);) {
    auto open = line.find('"');
    auto close = line.rfind('"');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open) continue;
    std::string token;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close) ++i;
      token += line[i];
    }
    tokens.push_back(token);
  }
  return tokens;
}

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR DICT N [SEED]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> corpus;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1]))
    if (entry.is_regular_file()) corpus.push_back(readFile(entry.path()));
  std::sort(corpus.begin(), corpus.end());  // directory order varies; keep runs reproducible
  std::vector<std::string> dict = readDict(argv[2]);
  long count = std::atol(argv[3]);
  std::mt19937_64 rng(argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1);
  if (corpus.empty() || dict.empty()) {
    std::fprintf(stderr, "empty corpus or dictionary\n");
    return 2;
  }
  for (const std::string& input : corpus) run(input);

  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  for (long i = 0; i < count; ++i) {
    std::string s = corpus[pick(corpus.size())];
    int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits; ++e) {
      std::size_t at = pick(s.size() + 1);
      switch (pick(7)) {
        case 0:
          if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
          break;
        case 1:
          s.insert(at, 1, static_cast<char>(rng()));
          break;
        case 2:
          s.erase(at, pick(16));
          break;
        case 3:
          s.insert(at, dict[pick(dict.size())]);
          break;
        case 4:
          s.insert(at, s.substr(pick(s.size() + 1), pick(32)));
          break;
        case 5: {
          const std::string& other = corpus[pick(corpus.size())];
          s = s.substr(0, at) + other.substr(pick(other.size() + 1));
          break;
        }
        default:
          s.resize(pick(s.size() + 1));
          break;
      }
    }
    run(s);
  }
  std::printf("dot_reader_smoke: %zu corpus files and %ld mutated inputs, no unexpected failure\n",
              corpus.size(), count);
  return 0;
}
