// YAML configs of every command: experiment (train, eval), CRAB build, pretraining, synthetic
// world, sweep. The file is parsed once and read as each kind in turn.
#include "corag/config/config_reader.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/crab/crab_config.hpp"
#include "corag/demo/synth_config.hpp"
#include "corag/train/pretrain_config.hpp"
#include "corag/train/sweep_plan.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = corag::fuzz::input_file("config.yaml", data, size);
  corag::fuzz::refusal_is_fine([&] {
    const auto document = corag::load_config_document(path, {});
    corag::fuzz::refusal_is_fine([&] { corag::read_config<corag::ExperimentConfig>(document); });
    corag::fuzz::refusal_is_fine([&] { corag::read_config<corag::CrabConfig>(document); });
    corag::fuzz::refusal_is_fine([&] { corag::read_config<corag::PretrainConfig>(document); });
    corag::fuzz::refusal_is_fine([&] { corag::read_config<corag::SynthConfig>(document); });
    corag::fuzz::refusal_is_fine([&] { corag::read_config<corag::SweepConfig>(document); });
  });
  return 0;
}
