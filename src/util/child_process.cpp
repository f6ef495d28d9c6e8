#include "corag/util/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "corag/util/error.hpp"

extern char** environ;

namespace corag {

namespace {

/// This process's environment with `changes` ("NAME=value") replacing or adding variables.
std::vector<std::string> changed_environment(const std::vector<std::string>& changes) {
  std::vector<std::string> variables;
  const auto name_of = [](const std::string& variable) { return variable.substr(0, variable.find('=')); };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable = *entry;
    bool replaced = false;
    for (const auto& change : changes) replaced = replaced || name_of(change) == name_of(variable);
    if (!replaced) variables.push_back(variable);
  }
  variables.insert(variables.end(), changes.begin(), changes.end());
  return variables;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
                           const std::vector<std::string>& environment) {
  CORAG_CHECK(!argv.empty(), "a child process needs a program to run");
  auto args = c_strings(argv);
  const auto variables = changed_environment(environment);
  auto env = c_strings(variables);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  const int failed = posix_spawn(&pid_, argv.front().c_str(), &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  CORAG_CHECK(failed == 0, "cannot start ", argv.front(), log.empty() ? "" : " (log " + log.string() + ")", ": ",
              std::strerror(failed));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() { stop(); }

void ChildProcess::stop() noexcept {
  if (pid_ <= 0 || status_) return;
  kill(pid_, SIGTERM);
  int raw = 0;
  while (waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::optional<int> ChildProcess::reap(bool block) {
  if (status_ || pid_ <= 0) return status_;
  int raw = 0;
  pid_t done = 0;
  do {
    done = waitpid(pid_, &raw, block ? 0 : WNOHANG);
  } while (done < 0 && errno == EINTR);
  CORAG_CHECK(done >= 0, "waiting for child process ", pid_, ": ", std::strerror(errno));
  if (done == 0) return std::nullopt;
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return status_;
}

std::optional<int> ChildProcess::poll() { return reap(false); }

void ChildProcess::kill_now() {
  if (pid_ <= 0 || status_) return;
  kill(pid_, SIGKILL);
  reap(true);
}

int ChildProcess::wait() { return *reap(true); }

}  // namespace corag
