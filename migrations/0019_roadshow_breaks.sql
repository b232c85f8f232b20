-- Breaks in a roadshow's programme (茶歇, 午休): [{after, minutes, label}], a break after the entry at position `after`.
ALTER TABLE roadshows ADD COLUMN breaks jsonb NOT NULL DEFAULT '[]'::jsonb;
