// Typed reads of JSON request bodies. Every failure names the field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace zhanqun::service {

using json = nlohmann::json;

enum class TextKind { kLine, kMultiline, kCode, kName, kDomain, kUrl, kOptionalUrl, kEmail };

class Input {
 public:
  explicit Input(const json& body) : body_(body) {}

  // The body must be a JSON object.
  static Result<Input> FromBody(const json& body);

  bool Has(std::string_view field) const;
  // Absent -> nullopt (or an error when required); present but wrong type or
  // invalid -> error naming the field.
  Result<std::optional<std::string>> Text(std::string_view field, TextKind kind, size_t max_chars,
                                          bool required) const;
  // Optional, but when present it must not be empty (required-on-create
  // fields in an update).
  Result<std::optional<std::string>> NonEmptyText(std::string_view field, TextKind kind,
                                                  size_t max_chars) const;
  Result<std::optional<int64_t>> Int(std::string_view field, bool required, int64_t min,
                                     int64_t max) const;
  // Accepts null as "clear" (returns optional holding nullopt).
  Result<std::optional<std::optional<int64_t>>> NullableInt(std::string_view field, int64_t min,
                                                            int64_t max) const;
  Result<std::optional<bool>> Bool(std::string_view field, bool required) const;
  Result<std::optional<std::string>> Enum(std::string_view field,
                                          const std::vector<std::string_view>& allowed,
                                          bool required) const;
  Result<std::optional<std::vector<std::string>>> TextList(std::string_view field, TextKind kind,
                                                           size_t max_items, size_t max_chars,
                                                           bool required) const;
  // Refuses any member not in `known`, so that a typo is not silently ignored.
  Status OnlyKnown(const std::vector<std::string_view>& known) const;

 private:
  json body_;  // a copy: an Input may outlive the expression it was made from
};

Status CheckTextKind(std::string_view field, std::string_view value, TextKind kind,
                     size_t max_chars, bool required);

}  // namespace zhanqun::service
