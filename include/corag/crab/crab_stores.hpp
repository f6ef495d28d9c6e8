#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "corag/crab/crab_config.hpp"
#include "corag/crab/passage_classification.hpp"

namespace corag {

/// Sorted, unique rows of the passage table.
using RowSet = std::vector<std::uint32_t>;

/// The relevant (or hard-negative) passages of any of `questions`.
RowSet relevant_rows(const std::vector<QaPassageClasses>& questions);
RowSet hard_negative_rows(const std::vector<QaPassageClasses>& questions);

/// What the store variants are made from: the corpus size and the classification of every
/// client's train questions (the largest shot set, which contains the others), dev and test
/// questions.
struct CrabStoreInputs {
  std::size_t corpus_size = 0;
  std::vector<std::vector<QaPassageClasses>> train;  ///< [client][question]
  std::vector<std::vector<QaPassageClasses>> dev;    ///< [client][question]; may be empty per client
  std::vector<std::vector<QaPassageClasses>> test;   ///< [client][question]
};

/// A corpus sample's size: asked for as a fraction of the corpus, capped by what was eligible.
struct SampleSize {
  double fraction = 0;        ///< of the corpus, as configured
  std::size_t requested = 0;  ///< round(fraction x corpus)
  std::size_t used = 0;       ///< min(requested, what was eligible for it)
};

/// The CRAB passage stores (DESIGN.md "CRAB stores"), as row sets.
struct CrabStores {
  /// Per client: every passage relevant to its test questions + its test_fraction corpus sample.
  /// Samples are disjoint; a passage relevant to several clients' test questions is in each of
  /// their stores (paper 3.1: "overlaps in relevant passages are possible between clients").
  std::vector<RowSet> test;
  /// Per client: every passage relevant to its dev questions + the same corpus sample as its
  /// test store (the 2.5 % client-local share: the paper's 8 x 2.5 % test + 80 % train shares
  /// use the whole corpus, so dev cannot have a share of its own).
  std::vector<RowSet> dev;
  std::vector<RowSet> test_samples;   ///< the disjoint client-local corpus samples
  RowSet rel, irr;                    ///< shared by all clients
  std::vector<RowSet> rel1;           ///< per client: IRR, or IRR + every train-relevant passage for rel1_client
  std::vector<RowSet> split;          ///< per client: its own train-relevant passages + a disjoint sample
  std::vector<RowSet> split_samples;  ///< the disjoint corpus samples of SPLIT
  std::vector<RowSet> partition;      ///< per client: a disjoint, even, random share of REL (RAG Local, fig. 1)
  std::vector<std::pair<std::string, RowSet>> ablations;  ///< paper tables 2 and 5, all from REL
  RowSet held_out;                                        ///< union of the test and dev stores: in no train store
  RowSet train_relevant;        ///< every client's train-relevant passages that are not held out
  RowSet train_hard_negatives;  ///< every client's train hard negatives that are neither held out nor relevant
  RowSet corpus_sample;         ///< the train_fraction sample that REL and IRR share
  std::size_t eligible = 0;     ///< passages a train-store sample may use: neither held out nor train-relevant
  SampleSize test_sample, train_sample, split_sample;  ///< per client for test and SPLIT
  std::size_t test_relevant_in_several_stores = 0;     ///< passages in more than one client's test store
  std::size_t train_relevant_held_out = 0;             ///< train-relevant passages that are test or dev passages
};

/// Carves the client-local test (and dev) stores out first, then samples the train stores from
/// what is left. Every fraction is of the whole corpus, capped by the passages still eligible
/// (both figures are kept in `SampleSize`); every sample is seeded from `seed`. A corpus too
/// small for the test samples is an error.
CrabStores build_crab_stores(const CrabStoreInputs& inputs, const CrabStoresConfig& config, std::uint64_t seed);

/// Checks the CRAB invariants: no test or dev passage in a train store, client-local samples
/// disjoint, test stores holding every passage relevant to their questions, REL holds every
/// train-relevant passage and IRR none, REL-1 is IRR except for its one client, SPLIT samples
/// disjoint, PARTITION an even partition of REL, sample sizes as recorded. Throws one error
/// listing every violation.
void check_crab_invariants(const CrabStores& stores, const CrabStoreInputs& inputs, const CrabStoresConfig& config);

}  // namespace corag
