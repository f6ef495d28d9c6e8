// YAML configs of every command: experiment (train, eval), CRAB build, pretraining, synthetic world.
#include "corag/config/config_reader.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/crab/crab_config.hpp"
#include "corag/demo/synth_config.hpp"
#include "corag/train/pretrain_config.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = corag::fuzz::input_file("config.yaml", data, size);
  corag::fuzz::refusal_is_fine([&] { corag::load_config<corag::ExperimentConfig>(path, {}); });
  corag::fuzz::refusal_is_fine([&] { corag::load_config<corag::CrabConfig>(path, {}); });
  corag::fuzz::refusal_is_fine([&] { corag::load_config<corag::PretrainConfig>(path, {}); });
  corag::fuzz::refusal_is_fine([&] { corag::load_config<corag::SynthConfig>(path, {}); });
  return 0;
}
