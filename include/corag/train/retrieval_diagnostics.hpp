#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/crab/crab_layout.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/train/crab_clients.hpp"
#include "corag/train/evaluation.hpp"

namespace corag {

/// The fields `RetrievalDiagnostics::measure` adds to a metrics record, in its order.
const std::vector<std::string>& retrieval_diagnostic_fields();

/// What a client's evaluation retrieved, by the CRAB build's classification (the paper's
/// section 3.4 argues from it but never measures it): per retrieved passage, whether it is
/// relevant, a hard negative or irrelevant for its question (classification/{test,dev}.jsonl),
/// and whether the client's own training questions, only other clients' or none were classified
/// with it (classification/train.jsonl over each client's train split: what a client contributes
/// to the shared train stores). Read once per run.
class RetrievalDiagnostics {
 public:
  RetrievalDiagnostics(const CrabLayout& crab, const std::vector<CrabClient>& clients);

  /// Fields for the metrics record of `client`'s evaluation on `split`, in percent:
  /// `retrieved_relevant`, `retrieved_hard_negative`, `retrieved_irrelevant` (shares of all
  /// retrieved slots, each judged for its own question), `retrieved_own`,
  /// `retrieved_other_clients`, `retrieved_no_client`, and `wrong_from_hard_negative`: the share of
  /// wrong non-empty predictions found (whole words, SQuAD-normalised) in one of the question's
  /// retrieved hard negatives, the wrong answer copied from a near miss. `store` resolves the
  /// retrieved passage ids to their text.
  nlohmann::json measure(const CrabClient& client, EvalSplit split, const Evaluation& evaluation,
                         const DenseStore& store) const;

 private:
  struct Judged {
    std::set<std::string> relevant, hard_negatives;
  };
  std::map<std::string, Judged> test_, dev_;           ///< by question id
  std::map<std::string, std::set<int>> contributors_;  ///< passage id -> clients whose train questions it serves
};

}  // namespace corag
