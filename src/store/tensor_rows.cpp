#include "corag/store/tensor_rows.hpp"

#include "corag/util/error.hpp"

namespace corag {

FloatRows tensor_rows(const torch::Tensor& vectors, torch::Tensor& storage) {
  storage = vectors.to(torch::kCPU, torch::kFloat32).contiguous();
  CORAG_CHECK(storage.dim() == 2, "FAISS needs [n, dim] vectors, got ", storage.dim(), " dimensions");
  return {storage.data_ptr<float>(), storage.size(0), storage.size(1)};
}

}  // namespace corag
