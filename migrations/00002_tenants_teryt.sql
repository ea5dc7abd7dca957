-- +goose Up
-- The official TERC register (GUS), loaded by `katalogpes teryt load`.
CREATE TABLE teryt_voivodeships (
  code    text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name    text NOT NULL,
  stan_na date NOT NULL
);
CREATE TABLE teryt_powiats (
  code             text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
  voivodeship_code text NOT NULL REFERENCES teryt_voivodeships (code),
  name             text NOT NULL,
  kind_name        text NOT NULL DEFAULT '',
  stan_na          date NOT NULL
);
-- Gminas proper: RODZ 1 (urban), 2 (rural), 3 (urban-rural).
CREATE TABLE teryt_gminas (
  code        text PRIMARY KEY CHECK (code ~ '^[0-9]{6}[123]$'),
  powiat_code text NOT NULL REFERENCES teryt_powiats (code),
  name        text NOT NULL,
  rodz        text NOT NULL,
  kind_name   text NOT NULL DEFAULT '',
  stan_na     date NOT NULL
);
-- Parts of gminas: RODZ 4/5 (town and rural area of an urban-rural gmina),
-- 8 (a Warsaw district), 9 (a delegatura); each maps to its gmina.
CREATE TABLE teryt_gmina_parts (
  code       text PRIMARY KEY CHECK (code ~ '^[0-9]{6}[4589]$'),
  gmina_code text NOT NULL REFERENCES teryt_gminas (code),
  name       text NOT NULL,
  rodz       text NOT NULL,
  kind_name  text NOT NULL DEFAULT '',
  stan_na    date NOT NULL
);
CREATE INDEX teryt_gminas_powiat ON teryt_gminas (powiat_code);
CREATE INDEX teryt_powiats_voivodeship ON teryt_powiats (voivodeship_code);

CREATE TABLE tenants (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z-]+$'),
  teryt      text NOT NULL UNIQUE CHECK (teryt ~ '^[0-9]{2}$'),
  voivodeship text NOT NULL,
  name       text NOT NULL,
  city       text NOT NULL,
  hosts      text[] NOT NULL DEFAULT '{}',
  branding   jsonb NOT NULL DEFAULT '{}',
  settings   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO tenants (slug, teryt, voivodeship, name, city) VALUES
  ('dolnoslaskie',        '02', 'dolnośląskie',        'Dolnośląski Ośrodek Polityki Społecznej',                         'Wrocław'),
  ('kujawsko-pomorskie',  '04', 'kujawsko-pomorskie',  'Regionalny Ośrodek Polityki Społecznej w Toruniu',                'Toruń'),
  ('lubelskie',           '06', 'lubelskie',           'Regionalny Ośrodek Polityki Społecznej w Lublinie',               'Lublin'),
  ('lubuskie',            '08', 'lubuskie',            'Regionalny Ośrodek Polityki Społecznej w Zielonej Górze',         'Zielona Góra'),
  ('lodzkie',             '10', 'łódzkie',             'Regionalne Centrum Polityki Społecznej w Łodzi',                  'Łódź'),
  ('malopolskie',         '12', 'małopolskie',         'Regionalny Ośrodek Polityki Społecznej w Krakowie',               'Kraków'),
  ('mazowieckie',         '14', 'mazowieckie',         'Mazowieckie Centrum Polityki Społecznej',                         'Warszawa'),
  ('opolskie',            '16', 'opolskie',            'Regionalny Ośrodek Polityki Społecznej w Opolu',                  'Opole'),
  ('podkarpackie',        '18', 'podkarpackie',        'Regionalny Ośrodek Polityki Społecznej w Rzeszowie',              'Rzeszów'),
  ('podlaskie',           '20', 'podlaskie',           'Regionalny Ośrodek Polityki Społecznej w Białymstoku',            'Białystok'),
  ('pomorskie',           '22', 'pomorskie',           'Regionalny Ośrodek Polityki Społecznej w Gdańsku',                'Gdańsk'),
  ('slaskie',             '24', 'śląskie',             'Regionalny Ośrodek Polityki Społecznej Województwa Śląskiego',    'Katowice'),
  ('swietokrzyskie',      '26', 'świętokrzyskie',      'Regionalny Ośrodek Polityki Społecznej w Kielcach',               'Kielce'),
  ('warminsko-mazurskie', '28', 'warmińsko-mazurskie', 'Regionalny Ośrodek Polityki Społecznej w Olsztynie',              'Olsztyn'),
  ('wielkopolskie',       '30', 'wielkopolskie',       'Regionalny Ośrodek Polityki Społecznej w Poznaniu',               'Poznań'),
  ('zachodniopomorskie',  '32', 'zachodniopomorskie',  'Regionalny Ośrodek Polityki Społecznej w Szczecinie',             'Szczecin');

-- Offer categories: a two-level taxonomy per tenant, seeded with a common
-- default that each tenant's admin may edit.
CREATE TABLE categories (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  code        text NOT NULL CHECK (code ~ '^[a-z0-9_]+$'),
  parent_code text,
  name_pl     text NOT NULL,
  name_en     text NOT NULL,
  cpv         text[] NOT NULL DEFAULT '{}',
  position    int NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code)
);
INSERT INTO categories (tenant_id, code, name_pl, name_en, cpv, position)
SELECT t.id, c.code, c.name_pl, c.name_en, c.cpv, c.position
FROM tenants t CROSS JOIN (VALUES
  ('catering',     'Catering i gastronomia',     'Catering and food service',     '{55}'::text[], 1),
  ('sprzatanie',   'Sprzątanie',                 'Cleaning',                      '{90}'::text[], 2),
  ('zielen',       'Zieleń i ogrodnictwo',       'Green areas and gardening',     '{77}'::text[], 3),
  ('remonty',      'Remonty i budownictwo',      'Renovation and construction',   '{45}'::text[], 4),
  ('pralnia',      'Pralnia',                    'Laundry',                       '{98}'::text[], 5),
  ('poligrafia',   'Poligrafia i druk',          'Printing',                      '{79,22}'::text[], 6),
  ('szycie',       'Szycie i tekstylia',         'Sewing and textiles',           '{18,39}'::text[], 7),
  ('rekodzielo',   'Rękodzieło i upominki',      'Handicraft and gifts',          '{18,39}'::text[], 8),
  ('turystyka',    'Turystyka i noclegi',        'Tourism and accommodation',     '{55,63}'::text[], 9),
  ('opieka',       'Usługi opiekuńcze',          'Care services',                 '{85}'::text[], 10),
  ('edukacja',     'Edukacja i szkolenia',       'Education and training',        '{80}'::text[], 11),
  ('transport',    'Transport',                  'Transport',                     '{60}'::text[], 12),
  ('biuro_it',     'Usługi biurowe i IT',        'Office and IT services',        '{72,79}'::text[], 13),
  ('zywnosc',      'Żywność i rolnictwo',        'Food and agriculture',          '{03,15}'::text[], 14),
  ('kultura',      'Kultura i wydarzenia',       'Culture and events',            '{92,79}'::text[], 15)
) AS c (code, name_pl, name_en, cpv, position);

-- Reference data, no tenancy: the importer runs as the application too.
GRANT SELECT, INSERT, UPDATE, DELETE ON teryt_voivodeships, teryt_powiats, teryt_gminas, teryt_gmina_parts TO katalogpes_app;
GRANT SELECT, UPDATE (name, hosts, branding, settings) ON tenants TO katalogpes_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON categories TO katalogpes_app;

-- +goose Down
DROP TABLE categories;
DROP TABLE tenants;
DROP TABLE teryt_gmina_parts;
DROP TABLE teryt_gminas;
DROP TABLE teryt_powiats;
DROP TABLE teryt_voivodeships;
