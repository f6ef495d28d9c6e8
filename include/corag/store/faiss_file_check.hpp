#pragma once

#include <filesystem>

namespace corag {

/// Walks a FAISS index file the way FAISS 1.7.3's reader will, without allocating what it
/// claims, and refuses it before FAISS reads it where that reader would crash, hang or allocate
/// without bound: an array length past the end of the file, a product quantizer with M = 0 (a
/// division by zero) or bits per code beyond 16 (a shift past 64 bits and a centroid table of
/// d x 2^bits floats allocated before its length is read), an inverted-list count or code size
/// that sizes tables from nothing, a sparse list table of odd length, a byte that is not a bool,
/// an unknown scalar-quantizer or direct-map type, nesting deeper than corag builds. Only the
/// kinds corag builds are walked (OPQ / PCA transforms; Flat, PQ, SQ, HNSW over Flat or SQ, IVF
/// with a Flat or HNSW quantizer over Flat / PQ / SQ codes); others are refused. What the reader
/// takes as given but search relies on (ids, graph links, code table sizes) is checked after
/// reading (faiss_structure.hpp). Throws corag::Error naming the file, the field and its offset.
void check_faiss_file(const std::filesystem::path& path);

}  // namespace corag
