-- How many bytes each of Dangol's big tables costs per row, on a freshly migrated scratch database.
--   createdb dangol_sizing && DATABASE_URL=postgres:///dangol_sizing .venv/bin/python manage.py migrate
--   psql -d dangol_sizing -f deploy/sizing.sql
-- Fills 100 markets, 10,000 stores, 200,000 customers, 1,000,000 follows (3 consent events each),
-- 10,000 messages and 1,000,000 inbox items, then prints bytes per row (table + indexes + TOAST).
\timing on
INSERT INTO markets_market (public_id, name, address, description, opening_hours, created_at)
SELECT 'm' || g, '시장' || g, '가상시 시험구 ' || g, '', '', now() FROM generate_series(1, 100) g;
INSERT INTO channels_store (public_id, name, category, stall_number, description, opening_hours, phone, photo, created_at, market_id)
SELECT 's' || g, '가게' || g, 'fruit', '가-' || g, '제철 과일', '09:00-20:00', '+8221234567', '', now(), (SELECT min(id) FROM markets_market) + g % 100
FROM generate_series(1, 10000) g;
INSERT INTO accounts_user (password, is_superuser, public_id, phone, name, is_staff, is_active, date_joined)
SELECT '!', false, 'u' || g, '+8210' || lpad(g::text, 8, '0'), '', false, true, now() FROM generate_series(1, 200000) g;
INSERT INTO channels_follow (public_id, started_at, ads_consent, night_consent, ads_consent_at, share_phone, customer_id, store_id)
SELECT 'f' || g, now(), true, g % 3 = 0, now(), false, (SELECT min(id) FROM accounts_user) + g % 200000,
  (SELECT min(id) FROM channels_store) + g / 200000 + (g % 200000) % 2000 * 5 FROM generate_series(0, 999999) g
ON CONFLICT DO NOTHING;
INSERT INTO channels_consentevent (customer_id, store_id, kind, action, via, created_at)
SELECT customer_id, store_id, k, 'given', 'web', now() FROM channels_follow, unnest(ARRAY['collection', 'ads', 'night']) k;
INSERT INTO messaging_message (public_id, store_id, kind, header, body, footer, image, buttons, status, send_at, sent_at,
  recipient_count, created_at)
SELECT 'g' || g, (SELECT min(id) FROM channels_store) + g % 10000, 'ad', '(광고) 가게' || g, '오늘 마감 할인 딸기 한 상자 만원', '무료 수신거부', '', '[]', 'sent',
  now(), now(), 100, now()
FROM generate_series(1, 10000) g;
INSERT INTO messaging_inboxitem (visible_at, customer_id, message_id)
SELECT now(), f.customer_id, m.id FROM channels_follow f JOIN messaging_message m ON m.store_id = f.store_id
ON CONFLICT DO NOTHING;
ANALYZE;
SELECT c.relname AS table, c.reltuples::bigint AS rows,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total,
       round(pg_total_relation_size(c.oid)::numeric / greatest(c.reltuples, 1)) AS bytes_per_row
FROM pg_class c
WHERE c.relname IN ('accounts_user', 'channels_store', 'channels_follow', 'channels_consentevent',
                    'messaging_message', 'messaging_inboxitem')
ORDER BY pg_total_relation_size(c.oid) DESC;
