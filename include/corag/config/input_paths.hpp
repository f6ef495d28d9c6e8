#pragma once

#include <string>
#include <vector>

namespace corag {

/// What a config key names as an input of the work it configures.
enum class InputKind { file, directory };

struct InputPath {
  std::string key;   ///< "data.test_pool", "model.reader", ...
  std::string path;  ///< "" when the key is unset (nothing to check)
  InputKind kind = InputKind::file;
};

/// Throws one corag::Error, for `what` ("crab-build-stores", "corag train", ...), listing every
/// input that is missing or of the wrong kind with the config key that names it
/// ("data.test_pool: /x/test.jsonl: no such file"). Run before any work starts, so that a wrong
/// path fails at once and by its key rather than deep inside a stage.
void require_config_inputs(const std::vector<InputPath>& inputs, const std::string& what);

}  // namespace corag
