-- The demo database: a small shop whose tables pgcdc captures (connectors/inventory.json).
CREATE TABLE customers (
  id serial PRIMARY KEY,
  name text NOT NULL,
  email varchar(200),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE products (
  id serial PRIMARY KEY,
  name text NOT NULL,
  price numeric(10, 2) NOT NULL,
  tags text[]
);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  product_id int NOT NULL REFERENCES products(id),
  quantity int NOT NULL,
  ordered_at timestamp(6) NOT NULL DEFAULT now()
);
INSERT INTO customers (name, email) VALUES ('Ada Lovelace', 'ada@example.com'), ('Grace Hopper', 'grace@example.com');
INSERT INTO products (name, price, tags) VALUES ('keyboard', 49.90, '{input,usb}'), ('monitor', 189.00, '{display}'), ('cable', 4.50, NULL);
