#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace zhanqun::testing {

// A child process with its stdout (and stderr) read through a pipe.
class Subprocess {
 public:
  explicit Subprocess(const std::vector<std::string>& argv, const std::string& stdin_text = "");
  ~Subprocess();  // kills the child if still running
  pid_t pid() const { return pid_; }
  // Reads output until `needle` appears or the deadline passes; returns all
  // output read so far.
  std::string ReadUntil(const std::string& needle, std::chrono::milliseconds deadline);
  void Kill(int sig);
  // Waits for exit; returns the exit code (128+signal when killed).
  int Wait();
  std::string output() const { return out_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  bool reaped_ = false;
  int status_ = 0;
};

// Runs a command to completion; returns exit code and output.
int Run(const std::vector<std::string>& argv, std::string* output,
        const std::string& stdin_text = "");

}  // namespace zhanqun::testing
