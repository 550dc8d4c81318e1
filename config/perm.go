package config

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// CheckPermissions returns a warning for the caller to log when the
// configuration file at path names a secret variable (smtp.password_env,
// http.token_env) and other users may read or change it; "" otherwise.
// Whoever can change the file can send the SMTP password to a server of
// their choice; whoever can read it learns where the secret lives.
func CheckPermissions(path string) (warning string) {
	if runtime.GOOS == "windows" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	mode := fi.Mode().Perm()
	if mode&0o066 == 0 {
		return ""
	}
	c, err := Load(path)
	if err != nil {
		return "" // Load reports it
	}
	var vars []string
	if c.SMTP.PasswordEnv != "" {
		vars = append(vars, "smtp.password_env")
	}
	if c.HTTP.TokenEnv != "" {
		vars = append(vars, "http.token_env")
	}
	if len(vars) == 0 {
		return ""
	}
	var how []string
	if mode&0o044 != 0 {
		how = append(how, "readable")
	}
	if mode&0o022 != 0 {
		how = append(how, "writable")
	}
	var who []string
	if mode&0o060 != 0 {
		who = append(who, "its group")
	}
	if mode&0o006 != 0 {
		who = append(who, "other users")
	}
	return fmt.Sprintf("config: %s is %s by %s (mode %04o) and sets %s: restrict it with chmod 600 %s",
		path, strings.Join(how, " and "), strings.Join(who, " and "), mode, strings.Join(vars, " and "), path)
}
