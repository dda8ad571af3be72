#pragma once

#include "store/db.h"

namespace zhanqun::store {

struct Migration {
  int version;
  const char* name;
  const char* sql;          // portable; {{pk}} becomes the engine's identity key
  const char* sqlite_only;  // may be null
  const char* pg_only;      // may be null
};

const std::vector<Migration>& AllMigrations();

// Applies every migration not yet recorded in schema_migrations, each in its
// own transaction. Returns the number applied.
Result<int> Migrate(Db& db);
// The highest applied version (0 for an empty store).
Result<int> SchemaVersion(Db& db);

}  // namespace zhanqun::store
