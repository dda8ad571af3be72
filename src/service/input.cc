#include "service/input.h"

#include <algorithm>

#include "core/text.h"

namespace zhanqun::service {

Result<Input> Input::FromBody(const json& body) {
  if (!body.is_object()) return Fail(Error::Invalid("body", "请求体必须是 JSON 对象"));
  return Input(body);
}

bool Input::Has(std::string_view field) const { return body_.contains(std::string(field)); }

Status CheckTextKind(std::string_view field, std::string_view value, TextKind kind,
                     size_t max_chars, bool required) {
  std::string f(field);
  switch (kind) {
    case TextKind::kMultiline:
      return CheckText(field, value, max_chars, required);
    case TextKind::kLine:
      return CheckLine(field, value, max_chars, required);
    case TextKind::kName: {
      ZQ_TRY(CheckLine(field, value, max_chars, required));
      if (value.find("../") != std::string_view::npos ||
          value.find("..\\") != std::string_view::npos || value == "..") {
        return Fail(Error::Invalid(f, f + " 不能包含路径字符“../”"));
      }
      return {};
    }
    case TextKind::kCode: {
      if (value.empty() && !required) return {};
      ZQ_TRY(CheckCode(field, value));
      if (value.size() > max_chars) {
        return Fail(
            Error::Invalid(f, f + " 长度不能超过 " + std::to_string(max_chars) + " 个字符"));
      }
      return {};
    }
    case TextKind::kDomain:
      return CheckDomain(field, value);
    case TextKind::kUrl:
      return CheckUrl(field, value);
    case TextKind::kEmail: {
      ZQ_TRY(CheckLine(field, value, max_chars, required));
      if (value.empty()) return {};
      size_t at = value.find('@');
      if (at == 0 || at == std::string_view::npos || at + 1 >= value.size() ||
          value.find('@', at + 1) != std::string_view::npos ||
          value.find_first_of(" \t<>\"'") != std::string_view::npos ||
          value.find('.', at) == std::string_view::npos) {
        return Fail(Error::Invalid(f, f + " 不是有效的邮箱地址"));
      }
      return {};
    }
    case TextKind::kOptionalUrl:
      if (value.empty()) return {};
      return CheckUrl(field, value);
  }
  return {};
}

Result<std::optional<std::string>> Input::Text(std::string_view field, TextKind kind,
                                               size_t max_chars, bool required) const {
  std::string f(field);
  auto it = body_.find(f);
  if (it == body_.end() || it->is_null()) {
    if (required) return Fail(Error::Invalid(f, f + " 不能为空"));
    return std::optional<std::string>();
  }
  if (!it->is_string()) return Fail(Error::Invalid(f, f + " 必须是字符串"));
  const std::string& v = it->get_ref<const std::string&>();
  ZQ_TRY(CheckTextKind(field, v, kind, max_chars, required));
  return std::optional<std::string>(v);
}

Result<std::optional<std::string>> Input::NonEmptyText(std::string_view field, TextKind kind,
                                                       size_t max_chars) const {
  if (!Has(field) || body_.at(std::string(field)).is_null()) return std::optional<std::string>();
  return Text(field, kind, max_chars, true);
}

Result<std::optional<int64_t>> Input::Int(std::string_view field, bool required, int64_t min,
                                          int64_t max) const {
  std::string f(field);
  auto it = body_.find(f);
  if (it == body_.end() || it->is_null()) {
    if (required) return Fail(Error::Invalid(f, f + " 不能为空"));
    return std::optional<int64_t>();
  }
  if (!it->is_number_integer()) return Fail(Error::Invalid(f, f + " 必须是整数"));
  int64_t v = 0;
  if (it->is_number_unsigned()) {
    auto u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return Fail(Error::Invalid(f, f + " 超出范围"));
    v = static_cast<int64_t>(u);
  } else {
    v = it->get<int64_t>();
  }
  if (v < min || v > max) {
    return Fail(Error::Invalid(
        f, f + " 必须在 " + std::to_string(min) + " 到 " + std::to_string(max) + " 之间"));
  }
  return std::optional<int64_t>(v);
}

Result<std::optional<std::optional<int64_t>>> Input::NullableInt(std::string_view field,
                                                                 int64_t min, int64_t max) const {
  std::string f(field);
  auto it = body_.find(f);
  using R = std::optional<std::optional<int64_t>>;
  if (it == body_.end()) return R();
  if (it->is_null()) return R(std::optional<int64_t>());
  auto v = Int(field, true, min, max);
  if (!v) return Fail(std::move(v.error()));
  return R(**v);
}

Result<std::optional<bool>> Input::Bool(std::string_view field, bool required) const {
  std::string f(field);
  auto it = body_.find(f);
  if (it == body_.end() || it->is_null()) {
    if (required) return Fail(Error::Invalid(f, f + " 不能为空"));
    return std::optional<bool>();
  }
  if (!it->is_boolean()) return Fail(Error::Invalid(f, f + " 必须是 true 或 false"));
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::string>> Input::Enum(std::string_view field,
                                               const std::vector<std::string_view>& allowed,
                                               bool required) const {
  auto v = Text(field, TextKind::kLine, 64, required);
  if (!v) return v;
  if (!*v) return v;
  if (std::find(allowed.begin(), allowed.end(), **v) == allowed.end()) {
    std::string list;
    for (auto a : allowed) {
      if (!list.empty()) list += "、";
      list += a;
    }
    std::string f(field);
    return Fail(Error::Invalid(f, f + " 只能是以下值之一：" + list));
  }
  return v;
}

Result<std::optional<std::vector<std::string>>> Input::TextList(std::string_view field,
                                                                TextKind kind, size_t max_items,
                                                                size_t max_chars,
                                                                bool required) const {
  std::string f(field);
  using R = std::optional<std::vector<std::string>>;
  auto it = body_.find(f);
  if (it == body_.end() || it->is_null()) {
    if (required) return Fail(Error::Invalid(f, f + " 不能为空"));
    return R();
  }
  if (!it->is_array()) return Fail(Error::Invalid(f, f + " 必须是字符串数组"));
  if (required && it->empty()) return Fail(Error::Invalid(f, f + " 至少需要一项"));
  if (it->size() > max_items) {
    return Fail(Error::Invalid(f, f + " 最多 " + std::to_string(max_items) + " 项"));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    std::string name = f + "[" + std::to_string(i) + "]";
    if (!e.is_string()) return Fail(Error::Invalid(f, name + " 必须是字符串"));
    auto st = CheckTextKind(name, e.get_ref<const std::string&>(), kind, max_chars, true);
    if (!st) {
      st.error().field = f;
      return Fail(std::move(st.error()));
    }
    out.push_back(e.get<std::string>());
  }
  return R(std::move(out));
}

Status Input::OnlyKnown(const std::vector<std::string_view>& known) const {
  for (auto it = body_.begin(); it != body_.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      return Fail(Error::Invalid(it.key(), "未知字段 " + it.key()));
    }
  }
  return {};
}

}  // namespace zhanqun::service
