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

/// What one client's SPLIT sample may hold: an equal share of the eligible passages.
std::size_t split_cap(std::size_t eligible, std::size_t clients) { return clients > 0 ? eligible / clients : 0; }

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
  CORAG_CHECK(inputs.train.size() == clients && (inputs.dev.empty() || inputs.dev.size() == clients),
              "CRAB stores: train, dev and test classifications must cover the same ", clients, " clients");

  // Client-local test and dev stores first: the passages relevant to the client's questions,
  // then one disjoint corpus sample per client, shared by its test and dev stores.
  std::vector<RowSet> test_relevant, dev_relevant, train_relevant;
  RowSet excluded;
  for (std::size_t c = 0; c < clients; ++c) {
    test_relevant.push_back(relevant_rows(inputs.test[c]));
    dev_relevant.push_back(inputs.dev.empty() ? RowSet{} : relevant_rows(inputs.dev[c]));
    train_relevant.push_back(relevant_rows(inputs.train[c]));
    excluded =
        set_union(set_union(excluded, test_relevant.back()), set_union(dev_relevant.back(), train_relevant.back()));
  }
  const auto test_pool = shuffled_complement(n, excluded, seed, "crab/test-stores");
  const auto per_test = fraction_of(config.test_fraction, n);
  CORAG_CHECK(test_pool.size() >= clients * per_test, "the corpus (", n, " passages, ", test_pool.size(),
              " not relevant to any question) is too small for ", clients, " test stores of ", per_test,
              " passages (stores.test_fraction ", config.test_fraction, ")");
  stores.test_sample = {config.test_fraction, per_test, per_test};
  for (std::size_t c = 0; c < clients; ++c) {
    stores.test_samples.push_back(slice(test_pool, c * per_test, per_test));
    stores.test.push_back(set_union(test_relevant[c], stores.test_samples.back()));
    stores.dev.push_back(set_union(dev_relevant[c], stores.test_samples.back()));
    stores.held_out = set_union(stores.held_out, set_union(stores.test[c], stores.dev[c]));
  }
  std::vector<std::uint32_t> memberships;
  for (const auto& rows : test_relevant) memberships.insert(memberships.end(), rows.begin(), rows.end());
  std::sort(memberships.begin(), memberships.end());
  for (std::size_t i = 0; i < memberships.size();) {
    std::size_t j = i;
    while (j < memberships.size() && memberships[j] == memberships[i]) ++j;
    stores.test_relevant_in_several_stores += j - i > 1 ? 1 : 0;
    i = j;
  }

  // Train stores never hold a test or dev passage.
  RowSet all_train_relevant, train_hard_negatives;
  for (std::size_t c = 0; c < clients; ++c) {
    all_train_relevant = set_union(all_train_relevant, train_relevant[c]);
    train_hard_negatives = set_union(train_hard_negatives, hard_negative_rows(inputs.train[c]));
  }
  stores.train_relevant = set_difference(all_train_relevant, stores.held_out);
  stores.train_relevant_held_out = all_train_relevant.size() - stores.train_relevant.size();
  stores.train_hard_negatives =
      set_difference(set_difference(train_hard_negatives, stores.held_out), stores.train_relevant);

  // Everything neither held out nor train-relevant may be sampled into a train store; the
  // fractions are of the whole corpus (paper 3.4: "80 % of Wikipedia"), capped by that.
  const auto eligible =
      std::vector<std::uint32_t>(test_pool.begin() + static_cast<std::ptrdiff_t>(clients * per_test), test_pool.end());
  stores.eligible = eligible.size();
  const auto capped = [&](double fraction, std::size_t cap) {
    const auto requested = fraction_of(fraction, n);
    return SampleSize{fraction, requested, std::min(requested, cap)};
  };
  Rng rng(derive_seed(seed, "crab/train-stores"));
  auto order = eligible;
  std::sort(order.begin(), order.end());  // independent of the test sampling order
  rng.shuffle(order);
  stores.train_sample = capped(config.train_fraction, stores.eligible);
  stores.corpus_sample = slice(order, 0, stores.train_sample.used);
  stores.rel = set_union(stores.train_relevant, stores.corpus_sample);
  stores.irr = stores.corpus_sample;
  for (std::size_t c = 0; c < clients; ++c) {
    stores.rel1.push_back(static_cast<std::int64_t>(c + 1) == config.rel1_client ? stores.rel : stores.irr);
  }

  Rng split_rng(derive_seed(seed, "crab/split-stores"));
  auto split_order = order;
  std::sort(split_order.begin(), split_order.end());
  split_rng.shuffle(split_order);
  stores.split_sample = capped(config.split_fraction, split_cap(stores.eligible, clients));
  for (std::size_t c = 0; c < clients; ++c) {
    stores.split_samples.push_back(slice(split_order, c * stores.split_sample.used, stores.split_sample.used));
    const auto own_relevant = set_difference(train_relevant[c], stores.held_out);
    stores.split.push_back(set_union(own_relevant, stores.split_samples.back()));
  }

  // PARTITION: REL dealt out evenly at random, so each client holds 1/clients of it.
  std::vector<std::uint32_t> partition_order(stores.rel.begin(), stores.rel.end());
  Rng partition_rng(derive_seed(seed, "crab/partition-stores"));
  partition_rng.shuffle(partition_order);
  for (std::size_t c = 0; c < clients; ++c) {
    const auto begin = c * partition_order.size() / clients, end = (c + 1) * partition_order.size() / clients;
    stores.partition.push_back(slice(partition_order, begin, end - begin));
  }

  // Ablations (tables 2 and 5): REL's parts recombined. "relevant-plus-X" keeps every relevant
  // passage and X % of REL's other passages (a uniform subsample of its corpus sample, so the
  // hard-negative / irrelevant proportion stays; prefixes of one order, so nested); "empty" is
  // table 5's "0 % store" (training without passages); its "100 % store" is REL itself.
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
  for (const int percent : {80, 50, 20, 10, 1}) {
    const auto count = fraction_of(percent / 100.0, stores.corpus_sample.size());
    stores.ablations.push_back(
        {"relevant-plus-" + std::to_string(percent), set_union(stores.train_relevant, slice(order, 0, count))});
  }
  stores.ablations.push_back({"empty", RowSet{}});
  return stores;
}

void check_crab_invariants(const CrabStores& stores, const CrabStoreInputs& inputs, const CrabStoresConfig& config) {
  std::vector<std::string> violations;
  const auto require = [&](bool holds, const std::string& what) {
    if (!holds) violations.push_back(what);
  };
  const auto not_held_out = [&](const RowSet& store, const std::string& name) {
    require(set_intersection(store, stores.held_out).empty(), name + " holds test or dev passages");
  };
  const auto pair_name = [](std::size_t a, std::size_t b) {
    return std::to_string(a + 1) + " and " + std::to_string(b + 1);
  };
  const std::size_t clients = stores.test.size();
  std::vector<RowSet> test_relevant;
  for (const auto& client : inputs.test) test_relevant.push_back(relevant_rows(client));
  for (std::size_t a = 0; a < clients; ++a) {
    for (std::size_t b = a + 1; b < clients; ++b) {
      require(includes(set_intersection(test_relevant[a], test_relevant[b]),
                       set_intersection(stores.test[a], stores.test[b])),
              "test stores of clients " + pair_name(a, b) + " overlap outside their shared relevant passages");
      require(set_intersection(stores.test_samples[a], stores.test_samples[b]).empty(),
              "test samples of clients " + pair_name(a, b) + " overlap");
      require(set_intersection(stores.split_samples[a], stores.split_samples[b]).empty(),
              "SPLIT samples of clients " + pair_name(a, b) + " overlap");
      require(set_intersection(stores.partition[a], stores.partition[b]).empty(),
              "PARTITION stores of clients " + pair_name(a, b) + " overlap");
    }
  }
  not_held_out(stores.rel, "REL");
  not_held_out(stores.irr, "IRR");
  RowSet every_train_relevant, partition_union;
  for (const auto& client : inputs.train) every_train_relevant = set_union(every_train_relevant, relevant_rows(client));
  require(includes(stores.rel, stores.train_relevant), "REL lacks train-relevant passages");
  require(set_intersection(stores.irr, every_train_relevant).empty(), "IRR holds train-relevant passages");
  require(set_union(stores.train_relevant, stores.held_out) == set_union(every_train_relevant, stores.held_out),
          "train-relevant passages are missing from both REL and the held-out stores");
  for (std::size_t c = 0; c < clients; ++c) {
    const auto name = std::to_string(c + 1);
    require(includes(stores.test[c], test_relevant[c]),
            "test store of client " + name + " lacks passages relevant to its questions");
    if (!inputs.dev.empty()) {
      require(includes(stores.dev[c], relevant_rows(inputs.dev[c])),
              "dev store of client " + name + " lacks passages relevant to its questions");
    }
    not_held_out(stores.rel1[c], "REL-1 client " + name);
    not_held_out(stores.split[c], "SPLIT client " + name);
    not_held_out(stores.partition[c], "PARTITION client " + name);
    const bool special = static_cast<std::int64_t>(c + 1) == config.rel1_client;
    require(stores.rel1[c] == (special ? set_union(stores.irr, stores.train_relevant) : stores.irr),
            "REL-1 client " + name + (special ? " is not IRR + every train-relevant passage" : " differs from IRR"));
    require(stores.split_samples[c].size() == stores.split_sample.used,
            "SPLIT sample of client " + name + " is not stores.split_fraction of the corpus (capped)");
    require(stores.test_samples[c].size() == stores.test_sample.used,
            "test sample of client " + name + " is not stores.test_fraction of the corpus");
    const auto share = stores.rel.size() / clients;
    require(stores.partition[c].size() == share || stores.partition[c].size() == share + 1,
            "PARTITION store of client " + name + " is not an even share of REL");
    partition_union = set_union(partition_union, stores.partition[c]);
  }
  require(partition_union == stores.rel, "the PARTITION stores together are not REL");
  for (const auto& [name, rows] : stores.ablations) not_held_out(rows, "ablation " + name);
  const auto size_as_asked = [&](const SampleSize& size, std::size_t cap) {
    return size.requested == fraction_of(size.fraction, inputs.corpus_size) &&
           size.used == std::min(size.requested, cap);
  };
  require(
      size_as_asked(stores.train_sample, stores.eligible) && stores.corpus_sample.size() == stores.train_sample.used,
      "the REL/IRR corpus sample is not stores.train_fraction of the corpus (capped by the eligible passages)");
  require(size_as_asked(stores.split_sample, split_cap(stores.eligible, clients)),
          "the SPLIT samples are not stores.split_fraction of the corpus (capped by the eligible passages)");
  CORAG_CHECK(violations.empty(), "CRAB invariants violated (nothing written):\n  ", [&] {
    std::string text;
    for (const auto& v : violations) text += (text.empty() ? "" : "\n  ") + v;
    return text;
  }());
}

}  // namespace corag
