#pragma once

#include <string>

namespace faiss {
struct Index;
}

namespace corag {

/// Checks a FAISS index read from a file against the invariants its search relies on, since FAISS's
/// reader takes array sizes and ids from the file without relating them: an HNSW neighbour id past
/// the vector count, an inverted list whose codes and ids disagree, a code table shorter than
/// `ntotal` codes or a transform matrix of the wrong shape would otherwise read out of bounds at
/// search time. Only the kinds corag builds are accepted (transforms OPQ / PCA; Flat, PQ, SQ, HNSW
/// over them, IVF with a Flat or HNSW quantizer over Flat / PQ / SQ codes), for inner product.
/// Throws corag::Error naming `where` and the field at fault.
void check_faiss_structure(const faiss::Index& index, const std::string& where);

}  // namespace corag
