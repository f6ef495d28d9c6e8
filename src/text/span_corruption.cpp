#include "corag/text/span_corruption.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "corag/text/whitespace_words.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

/// The input with each run of hidden words replaced by the next sentinel, and the target.
CorruptedText render(const std::vector<std::string>& words, const std::vector<bool>& hidden) {
  CorruptedText out;
  int sentinel = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (!hidden[i]) {
      out.input += (out.input.empty() ? "" : " ") + words[i];
      continue;
    }
    if (i == 0 || !hidden[i - 1]) {
      const auto name = "<extra_id_" + std::to_string(sentinel++) + ">";
      out.input += (out.input.empty() ? "" : " ") + name;
      out.target += (out.target.empty() ? "" : " ") + name;
    }
    out.target += " " + words[i];
  }
  return out;
}

}  // namespace

CorruptedText corrupt_spans(const std::string& text, double noise_density, double mean_span, Rng& rng) {
  CORAG_CHECK(noise_density > 0 && noise_density < 1 && mean_span >= 1, "span corruption: need 0 < noise_density < 1 ",
              "and mean_span >= 1, got ", noise_density, " and ", mean_span);
  const auto words = split_words(text);
  CORAG_CHECK(words.size() >= 2, "span corruption needs at least two words: '", text, "'");
  const auto n = words.size();
  const auto noise =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(noise_density * static_cast<double>(n))), 1, n - 1);
  const auto spans =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(static_cast<double>(noise) / mean_span)), 1, 100);
  // Spans are placed one by one at random starts, never touching each other.
  std::vector<bool> hidden(n, false);
  std::size_t placed = 0;
  for (std::size_t s = 0; s < spans && placed < noise; ++s) {
    // The words still to hide shared among the spans still to place, give or take one.
    const auto share = (noise - placed + (spans - s) / 2) / (spans - s);
    const auto length = static_cast<std::size_t>(
        std::max<long long>(1, static_cast<long long>(share) + static_cast<long long>(rng.uniform(3)) - 1));
    for (int attempt = 0; attempt < 20; ++attempt) {
      const auto start = static_cast<std::size_t>(rng.uniform(n - std::min(length, n - 1)));
      const auto end = std::min(n, start + length);
      bool free = true;
      for (std::size_t i = start == 0 ? 0 : start - 1; i < std::min(n, end + 1); ++i) free = free && !hidden[i];
      if (!free || end - start == n) continue;
      for (std::size_t i = start; i < end; ++i) hidden[i] = true;
      placed += end - start;
      break;
    }
  }
  if (placed == 0) hidden[static_cast<std::size_t>(rng.uniform(n))] = true;
  return render(words, hidden);
}

CorruptedText corrupt_salient_spans(const std::string& text, double noise_density, Rng& rng) {
  const auto words = split_words(text);
  const auto salient = [&](std::size_t i) {
    const auto c = static_cast<unsigned char>(words[i][0]);
    return std::isupper(c) || std::isdigit(c);
  };
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // [begin, end) of salient words
  for (std::size_t i = 0; i < words.size();) {
    if (!salient(i)) {
      ++i;
      continue;
    }
    auto end = i;
    while (end < words.size() && salient(end)) ++end;
    runs.emplace_back(i, end);
    i = end;
  }
  rng.shuffle(runs);
  const auto target =
      std::max<std::size_t>(1, static_cast<std::size_t>(noise_density * static_cast<double>(words.size())));
  std::vector<bool> hidden(words.size(), false);
  std::size_t placed = 0, spans = 0;
  for (const auto& [begin, end] : runs) {
    if (placed >= target || spans == 100) break;
    if (placed + (end - begin) >= words.size()) continue;  // never hide the whole text
    for (auto i = begin; i < end; ++i) hidden[i] = true;
    placed += end - begin;
    ++spans;
  }
  if (placed == 0) return corrupt_spans(text, noise_density, 3.0, rng);
  return render(words, hidden);
}

}  // namespace corag
