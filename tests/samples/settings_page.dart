import 'package:flutter/material.dart';
import 'package:shared_preferences/shared_preferences.dart';

const kDarkModeKey = 'dark_mode';
const kFontScaleKey = 'font_scale';

class AppSettings {
  AppSettings({this.darkMode = false, this.fontScale = 1.0});

  final bool darkMode;
  final double fontScale;

  static Future<AppSettings> load() async {
    final prefs = await SharedPreferences.getInstance();
    return AppSettings(
      darkMode: prefs.getBool(kDarkModeKey) ?? false,
      fontScale: prefs.getDouble(kFontScaleKey) ?? 1.0,
    );
  }

  Future<void> save() async {
    final prefs = await SharedPreferences.getInstance();
    await prefs.setBool(kDarkModeKey, darkMode);
    await prefs.setDouble(kFontScaleKey, fontScale);
  }
}

class SettingsPage extends StatefulWidget {
  const SettingsPage({super.key, required this.initial});

  final AppSettings initial;

  @override
  State<SettingsPage> createState() => _SettingsPageState();
}

class _SettingsPageState extends State<SettingsPage> {
  late bool _darkMode = widget.initial.darkMode;
  late double _fontScale = widget.initial.fontScale;

  Future<void> _persist() =>
      AppSettings(darkMode: _darkMode, fontScale: _fontScale).save();

  @override
  Widget build(BuildContext context) {
    return ListView(children: [
      SwitchListTile(
        title: const Text('Dark mode'),
        value: _darkMode,
        onChanged: (v) => setState(() { _darkMode = v; _persist(); }),
      ),
      Slider(
        value: _fontScale, min: 0.8, max: 1.6,
        onChanged: (v) => setState(() { _fontScale = v; _persist(); }),
      ),
    ]);
  }
}
