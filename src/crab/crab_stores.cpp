#include "corag/crab/crab_stores.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

#include "corag/util/error.hpp"
#include "corag/util/rng.hpp"

namespace corag {
namespace {

RowSet make_set(RowSet rows) {
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

RowSet set_union(const RowSet& a, const RowSet& b) {
  RowSet out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

RowSet set_difference(const RowSet& a, const RowSet& b) {
  RowSet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

RowSet set_intersection(const RowSet& a, const RowSet& b) {
  RowSet out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

bool includes(const RowSet& a, const RowSet& b) { return std::includes(a.begin(), a.end(), b.begin(), b.end()); }

std::size_t fraction_of(double fraction, std::size_t total) {
  return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(total)));
}

/// The rows of [0, n) outside `excluded`, in a seeded random order.
std::vector<std::uint32_t> shuffled_complement(std::size_t n, const RowSet& excluded, std::uint64_t seed,
                                               std::string_view stream) {
  std::vector<std::uint32_t> rows;
  rows.reserve(n - excluded.size());
  auto next_excluded = excluded.begin();
  for (std::uint32_t row = 0; row < n; ++row) {
    if (next_excluded != excluded.end() && *next_excluded == row) {
      ++next_excluded;
      continue;
    }
    rows.push_back(row);
  }
  Rng rng(derive_seed(seed, stream));
  rng.shuffle(rows);
  return rows;
}

RowSet slice(const std::vector<std::uint32_t>& rows, std::size_t begin, std::size_t count) {
  return make_set(RowSet(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                         rows.begin() + static_cast<std::ptrdiff_t>(begin + count)));
}

}  // namespace

RowSet relevant_rows(const std::vector<QaPassageClasses>& questions) {
  RowSet rows;
  for (const auto& q : questions) rows.insert(rows.end(), q.relevant.begin(), q.relevant.end());
  return make_set(std::move(rows));
}

RowSet hard_negative_rows(const std::vector<QaPassageClasses>& questions) {
  RowSet rows;
  for (const auto& q : questions) rows.insert(rows.end(), q.hard_negatives.begin(), q.hard_negatives.end());
  return make_set(std::move(rows));
}

CrabStores build_crab_stores(const CrabStoreInputs& inputs, const CrabStoresConfig& config, std::uint64_t seed) {
  CrabStores stores;
  const std::size_t clients = inputs.test.size();
  const std::size_t n = inputs.corpus_size;

  // Test stores first: each client's test-relevant passages (a passage relevant to several
  // clients stays with the first, keeping the stores disjoint), then a disjoint corpus sample.
  RowSet all_test_relevant, all_train_relevant;
  for (std::size_t c = 0; c < clients; ++c) {
    const auto relevant = relevant_rows(inputs.test[c]);
    stores.test.push_back(set_difference(relevant, all_test_relevant));
    stores.shared_test_relevant += relevant.size() - stores.test.back().size();
    all_test_relevant = set_union(all_test_relevant, relevant);
    all_train_relevant = set_union(all_train_relevant, relevant_rows(inputs.train[c]));
  }
  const auto excluded = set_union(all_test_relevant, all_train_relevant);
  const auto test_pool = shuffled_complement(n, excluded, seed, "crab/test-stores");
  const auto per_test_store = fraction_of(config.test_fraction, n);
  CORAG_CHECK(test_pool.size() >= clients * per_test_store, "the corpus (", n, " passages, ", test_pool.size(),
              " not relevant to any question) is too small for ", clients, " test stores of ", per_test_store,
              " passages (stores.test_fraction ", config.test_fraction, ")");
  for (std::size_t c = 0; c < clients; ++c) {
    stores.test[c] = set_union(stores.test[c], slice(test_pool, c * per_test_store, per_test_store));
    stores.test_passages = set_union(stores.test_passages, stores.test[c]);
  }

  // Train stores never hold a test passage.
  stores.train_relevant = set_difference(all_train_relevant, stores.test_passages);
  stores.train_relevant_in_test = all_train_relevant.size() - stores.train_relevant.size();
  RowSet train_hard_negatives;
  for (const auto& client : inputs.train) train_hard_negatives = set_union(train_hard_negatives, hard_negative_rows(client));
  stores.train_hard_negatives = set_difference(set_difference(train_hard_negatives, stores.test_passages),
                                               stores.train_relevant);

  // Everything neither test passage nor train-relevant may be sampled into a train store.
  const auto eligible = std::vector<std::uint32_t>(test_pool.begin() + static_cast<std::ptrdiff_t>(clients * per_test_store),
                                                   test_pool.end());
  stores.eligible = eligible.size();
  Rng rng(derive_seed(seed, "crab/train-stores"));
  auto order = eligible;
  std::sort(order.begin(), order.end());  // independent of the test sampling order
  rng.shuffle(order);
  stores.corpus_sample = slice(order, 0, fraction_of(config.train_fraction, stores.eligible));
  stores.rel = set_union(stores.train_relevant, stores.corpus_sample);
  stores.irr = stores.corpus_sample;
  for (std::size_t c = 0; c < clients; ++c) {
    stores.rel1.push_back(static_cast<std::int64_t>(c + 1) == config.rel1_client ? stores.rel : stores.irr);
  }

  Rng split_rng(derive_seed(seed, "crab/split-stores"));
  auto split_order = order;
  std::sort(split_order.begin(), split_order.end());
  split_rng.shuffle(split_order);
  const auto per_split = fraction_of(config.split_fraction, stores.eligible);
  for (std::size_t c = 0; c < clients; ++c) {
    stores.split_samples.push_back(slice(split_order, c * per_split, per_split));
    const auto own_relevant = set_difference(relevant_rows(inputs.train[c]), stores.test_passages);
    stores.split.push_back(set_union(own_relevant, stores.split_samples.back()));
  }

  // Ablations (tables 2 and 5): REL's parts recombined; "plus X %" keeps the relevant passages
  // and a uniform subsample of REL's corpus sample (prefixes of its order, so nested).
  const auto sample_hard = set_intersection(stores.corpus_sample, stores.train_hard_negatives);
  const auto sample_irrelevant = set_difference(stores.corpus_sample, stores.train_hard_negatives);
  RowSet top1;
  for (const auto& client : inputs.train) {
    for (const auto& question : client) {
      for (const auto row : question.relevant) {
        if (std::binary_search(stores.train_relevant.begin(), stores.train_relevant.end(), row)) {
          top1.push_back(row);
          break;
        }
      }
    }
  }
  top1 = make_set(std::move(top1));
  stores.ablations = {{"only-relevant", stores.train_relevant},
                      {"only-hardneg-irrelevant", stores.corpus_sample},
                      {"only-relevant-hardneg", set_union(stores.train_relevant, sample_hard)},
                      {"only-relevant-irrelevant", set_union(stores.train_relevant, sample_irrelevant)},
                      {"only-top1-relevant-irrelevant", set_union(top1, sample_irrelevant)}};
  for (const int percent : {80, 50, 20, 10, 1, 0}) {
    const auto count = std::min(stores.corpus_sample.size(), fraction_of(percent / 100.0, stores.eligible));
    stores.ablations.push_back(
        {"relevant-plus-" + std::to_string(percent), set_union(stores.train_relevant, slice(order, 0, count))});
  }
  return stores;
}

void check_crab_invariants(const CrabStores& stores, const CrabStoreInputs& inputs, const CrabStoresConfig& config) {
  std::vector<std::string> violations;
  const auto require = [&](bool holds, const std::string& what) {
    if (!holds) violations.push_back(what);
  };
  const auto no_test_passage = [&](const RowSet& store, const std::string& name) {
    require(set_intersection(store, stores.test_passages).empty(), name + " holds test passages");
  };
  const std::size_t clients = stores.test.size();
  for (std::size_t a = 0; a < clients; ++a) {
    for (std::size_t b = a + 1; b < clients; ++b) {
      require(set_intersection(stores.test[a], stores.test[b]).empty(),
              "test stores of clients " + std::to_string(a + 1) + " and " + std::to_string(b + 1) + " overlap");
      require(set_intersection(stores.split_samples[a], stores.split_samples[b]).empty(),
              "SPLIT samples of clients " + std::to_string(a + 1) + " and " + std::to_string(b + 1) + " overlap");
    }
  }
  no_test_passage(stores.rel, "REL");
  no_test_passage(stores.irr, "IRR");
  RowSet every_train_relevant;
  for (const auto& client : inputs.train) every_train_relevant = set_union(every_train_relevant, relevant_rows(client));
  require(includes(stores.rel, stores.train_relevant), "REL lacks train-relevant passages");
  require(set_intersection(stores.irr, every_train_relevant).empty(), "IRR holds train-relevant passages");
  require(set_union(stores.train_relevant, stores.test_passages) == set_union(every_train_relevant, stores.test_passages),
          "train-relevant passages are missing from both REL and the test stores");
  for (std::size_t c = 0; c < clients; ++c) {
    const auto name = std::to_string(c + 1);
    no_test_passage(stores.rel1[c], "REL-1 client " + name);
    no_test_passage(stores.split[c], "SPLIT client " + name);
    const bool special = static_cast<std::int64_t>(c + 1) == config.rel1_client;
    require(stores.rel1[c] == (special ? set_union(stores.irr, stores.train_relevant) : stores.irr),
            "REL-1 client " + name + (special ? " is not IRR + every train-relevant passage" : " differs from IRR"));
    require(stores.split_samples[c].size() == fraction_of(config.split_fraction, stores.eligible),
            "SPLIT sample of client " + name + " is not stores.split_fraction of the eligible passages");
    require(stores.test[c].size() >= fraction_of(config.test_fraction, inputs.corpus_size),
            "test store of client " + name + " is smaller than its corpus share");
  }
  for (const auto& [name, rows] : stores.ablations) no_test_passage(rows, "ablation " + name);
  require(stores.corpus_sample.size() == fraction_of(config.train_fraction, stores.eligible),
          "the REL/IRR corpus sample is not stores.train_fraction of the eligible passages");
  CORAG_CHECK(violations.empty(), "CRAB invariants violated (nothing written):\n  ", [&] {
    std::string text;
    for (const auto& v : violations) text += (text.empty() ? "" : "\n  ") + v;
    return text;
  }());
}

}  // namespace corag
