"""Reports: reads only — dashboards, standard forms, exports. No models of its own."""
