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
/// client's train questions (the largest shot set, which contains the others) and test questions.
struct CrabStoreInputs {
  std::size_t corpus_size = 0;
  std::vector<std::vector<QaPassageClasses>> train;  ///< [client][question]
  std::vector<std::vector<QaPassageClasses>> test;   ///< [client][question]
};

/// The CRAB passage stores (DESIGN.md "CRAB stores"), as row sets.
struct CrabStores {
  std::vector<RowSet> test;   ///< per client: its test-relevant passages + test_fraction of the corpus
  RowSet rel, irr;            ///< shared by all clients
  std::vector<RowSet> rel1;   ///< per client: IRR, or IRR + every train-relevant passage for rel1_client
  std::vector<RowSet> split;  ///< per client: its own train-relevant passages + a disjoint sample
  std::vector<RowSet> split_samples;  ///< the disjoint corpus samples of SPLIT
  std::vector<std::pair<std::string, RowSet>> ablations;  ///< paper tables 2 and 5, all from REL
  RowSet test_passages;         ///< union of the test stores: in no train store
  RowSet train_relevant;        ///< every client's train-relevant passages that are not test passages
  RowSet train_hard_negatives;  ///< every client's train hard negatives that are not test passages
  RowSet corpus_sample;         ///< the train_fraction sample that REL and IRR share
  std::size_t eligible = 0;     ///< passages a train-store sample may use (the base of its fraction)
  std::size_t shared_test_relevant = 0;    ///< relevant to several clients' test questions: kept by the first
  std::size_t train_relevant_in_test = 0;  ///< train-relevant passages that are also test passages
};

/// Carves the test stores out first, then samples the train stores from what is left; every
/// sample is seeded from `seed`. A corpus too small for the fractions is an error.
CrabStores build_crab_stores(const CrabStoreInputs& inputs, const CrabStoresConfig& config, std::uint64_t seed);

/// Checks the CRAB invariants: no test passage in a train store, test stores disjoint, REL holds
/// every train-relevant passage and IRR none, REL-1 is IRR except for its one client, SPLIT
/// samples disjoint, sample sizes at their fractions. Throws one error listing every violation.
void check_crab_invariants(const CrabStores& stores, const CrabStoreInputs& inputs, const CrabStoresConfig& config);

}  // namespace corag
