// c10d's Gloo process group over 127.0.0.1, with the ranks as threads of this test: sums and
// gathers in rank order, payload counts, and the errors of a late rank, a port in use, an
// unreachable master and a rank that never joins.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <torch/torch.h>

#include "corag/dist/local_ranks.hpp"
#include "corag/dist/process_group_collective.hpp"
#include "test_support.hpp"

namespace {

using corag::test::error_message;

corag::RankEnvironment rank_of(int rank, int world_size, std::uint16_t port, int timeout_s) {
  corag::RankEnvironment environment;
  environment.rank = rank;
  environment.world_size = world_size;
  environment.local_rank = rank;
  environment.master_port = port;
  environment.timeout = std::chrono::seconds(timeout_s);
  return environment;
}

/// Runs `work(collective)` on `world_size` ranks joined at a free port, one thread each;
/// returns what each returned, in rank order.
template <typename Result, typename Work>
std::vector<Result> on_ranks(int world_size, int timeout_s, Work work) {
  const auto port = corag::free_loopback_port();
  std::vector<std::future<Result>> ranks;
  for (int rank = 0; rank < world_size; ++rank) {
    ranks.push_back(std::async(std::launch::async, [=] {
      corag::ProcessGroupCollective collective(rank_of(rank, world_size, port, timeout_s));
      return work(collective);
    }));
  }
  std::vector<Result> results;
  for (auto& rank : ranks) results.push_back(rank.get());
  return results;
}

}  // namespace

TEST_CASE("process group: all-reduce sums, all-gather in rank order, payload counted", "[dist]") {
  struct Seen {
    std::vector<float> sum;
    std::vector<std::string> texts;
    corag::CommTraffic traffic;
  };
  const std::vector<std::string> texts = {"rank zero", "", std::string(5000, 'x')};
  const auto seen = on_ranks<Seen>(3, 60, [&](corag::Collective& collective) {
    auto buffer = torch::full({4}, static_cast<float>(collective.rank() + 1));
    buffer[3] = 0.25F * static_cast<float>(collective.rank());
    collective.all_reduce_sum(buffer, "test sum");
    Seen result;
    result.sum.assign(buffer.data_ptr<float>(), buffer.data_ptr<float>() + 4);
    result.texts = collective.all_gather(texts[static_cast<std::size_t>(collective.rank())], "test gather");
    result.traffic = collective.traffic();
    return result;
  });
  for (std::size_t rank = 0; rank < 3; ++rank) {
    CHECK(seen[rank].sum == std::vector<float>{6, 6, 6, 0.75F});
    CHECK(seen[rank].texts == texts);
    CHECK(seen[rank].traffic.sent_bytes == 16 + texts[rank].size());
    CHECK(seen[rank].traffic.received_bytes == 16 + 9 + 5000 - texts[rank].size());
  }
}

TEST_CASE("process group: a rank that does not come to a collective is named with what it was doing", "[dist]") {
  const auto port = corag::free_loopback_port();
  std::promise<void> failed;
  auto late = std::async(std::launch::async, [&] {
    corag::ProcessGroupCollective collective(rank_of(1, 2, port, 2));
    collective.announce("round 2: training client 3");
    failed.get_future().wait();  // busy elsewhere until rank 0 has given up
  });
  corag::ProcessGroupCollective collective(rank_of(0, 2, port, 2));
  auto buffer = torch::ones({8});
  const auto started = std::chrono::steady_clock::now();
  const auto message = error_message([&] { collective.all_reduce_sum(buffer, "round 2: FedAvg aggregation"); });
  failed.set_value();
  late.get();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  CHECK_THAT(message, Catch::Contains("rank 0 of 2: round 2: FedAvg aggregation failed after") &&
                          Catch::Contains("(timeout 2 s)") &&
                          Catch::Contains("rank 1 was: round 2: training client 3"));
}

TEST_CASE("process group: a port in use, an unreachable master and a missing rank are clear errors", "[dist]") {
  // Something else listens on the port.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const auto busy = ntohs(address.sin_port);
  CHECK_THAT(error_message([&] { corag::ProcessGroupCollective collective(rank_of(0, 2, busy, 2)); }),
             Catch::Contains("rank 0 of 2: cannot listen on the master port 127.0.0.1:" + std::to_string(busy)) &&
                 Catch::Contains("--master-port"));
  ::close(listener);

  const auto nobody = corag::free_loopback_port();
  const auto started = std::chrono::steady_clock::now();
  CHECK_THAT(
      error_message([&] { corag::ProcessGroupCollective collective(rank_of(1, 2, nobody, 2)); }),
      Catch::Contains("rank 1 of 2: cannot reach the master 127.0.0.1:" + std::to_string(nobody) + " within 2 s"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));

  CHECK_THAT(error_message([&] { corag::ProcessGroupCollective collective(rank_of(0, 3, nobody, 2)); }),
             Catch::Contains("rank 0 of 3: the ranks did not all join at 127.0.0.1:" + std::to_string(nobody) +
                             " within 2 s (missing: rank 1, 2)"));
}
