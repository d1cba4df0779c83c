-- Settings of the installation as a whole, e.g. the fingerprint of the master key the data is sealed with.
CREATE TABLE instance_settings (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
