import { defineConfig } from "drizzle-kit";

/** PostgreSQL migrations: `npm run db:generate:pg -- --name <what>` (SQLite: drizzle.config.ts). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.pg.ts",
  out: "./drizzle/pg",
});
