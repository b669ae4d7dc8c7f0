"""Settings for every Jala Pustaka component: one TOML file, JALA_* environment overrides."""

from config.settings import Settings, load_settings, settings_options

__all__ = ["Settings", "load_settings", "settings_options"]
