package dev.berth.manifest;

import java.util.regex.Pattern;

/** Kubernetes' name rules: DNS-1123 labels and subdomains, IANA service names for ports. */
final class Names {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    private Names() {}

    /** Null when valid, else what is wrong, for a DNS-1123 label (container names, namespaces). */
    static String checkLabel(String name) {
        if (name.length() > 63) {
            return "\"" + name + "\" is longer than 63 characters";
        }
        return LABEL.matcher(name).matches() ? null
                : "\"" + name + "\" is not a valid DNS-1123 label (lower case letters, digits and '-', starting and ending with a letter or digit)";
    }

    /** Null when valid, else what is wrong, for a DNS-1123 subdomain (pod and object names). */
    static String checkSubdomain(String name) {
        if (name.length() > 253) {
            return "\"" + name + "\" is longer than 253 characters";
        }
        return SUBDOMAIN.matcher(name).matches() ? null
                : "\"" + name + "\" is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with a letter or digit)";
    }

    /** Null when valid, else what is wrong, for a port name (IANA service name). */
    static String checkPortName(String name) {
        if (name.length() > 15) {
            return "port name \"" + name + "\" is longer than 15 characters";
        }
        if (!PORT_NAME.matcher(name).matches() || name.contains("--") || name.chars().noneMatch(Character::isLetter)) {
            return "port name \"" + name + "\" must be lower case letters, digits and '-', contain a letter, and not start or end with '-' or contain \"--\"";
        }
        return null;
    }

    static String checkConfigKey(String key) {
        return key.length() <= 253 && CONFIG_KEY.matcher(key).matches() && !key.equals(".") && !key.equals("..") ? null
                : "\"" + key + "\" is not a valid key (letters, digits, '-', '_' and '.')";
    }
}
