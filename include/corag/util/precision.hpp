#pragma once

namespace corag {

/// The compute precision a run asks for; `automatic` is bf16 on CUDA, fp32 on the CPU
/// (resolve_precision in device.hpp turns it into a dtype).
enum class Precision { fp32, bf16, automatic };

}  // namespace corag
