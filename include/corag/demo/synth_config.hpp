#pragma once

#include <cstdint>
#include <vector>

#include "corag/config/field_rules.hpp"

namespace corag {

/// The size knobs of the synthetic knowledge world (`corag synth`, configs/demo-world.yaml).
struct SynthWorldConfig {
  std::int64_t people = 600;
  std::int64_t places = 80;
  std::int64_t organisations = 80;
  std::int64_t works = 150;
  std::int64_t festivals = 20;         ///< each held in several near-identical editions
  std::int64_t noise_passages = 1000;  ///< encyclopaedic text about nothing any question asks
  double namesake_fraction = 0.1;      ///< people who share their full name with another person
  /// Passages are padded with filler sentences (other years, places and things: distractors for
  /// the reader) to this fraction of their default length of 50-80 words.
  double padding_scale = 1.0;
  std::int64_t questions = 1600;
  double test_fraction = 0.3;  ///< of the questions, in the test pool
  std::int64_t seed = 0;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("people", people, between(2, 1e7));
    v.field("places", places, between(2, 1e6));
    v.field("organisations", organisations, between(1, 1e6));
    v.field("works", works, between(1, 1e7));
    v.field("festivals", festivals, between(0, 1e5));
    v.field("noise_passages", noise_passages, between(0, 1e8));
    v.field("namesake_fraction", namesake_fraction, between(0, 0.5));
    v.field("padding_scale", padding_scale, between(0, 10));
    v.field("questions", questions, between(1, 1e8));
    v.field("test_fraction", test_fraction, Limits{0.0, 1.0, true});
    v.field("seed", seed, at_least(0));
  }
};

/// configs/demo-world.yaml: one section, `world`.
struct SynthConfig {
  SynthWorldConfig world;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.section("world", world);
  }
  std::vector<ConfigProblem> check() const { return {}; }
};

}  // namespace corag
