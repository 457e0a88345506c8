package io.sluice.api;

import java.util.regex.Pattern;

/**
 * Keeps the server's file-system layout out of error replies. Storage errors name the file and
 * position (the log keeps them whole, for the operator); what a client sees keeps only the last two
 * segments of a path, the partition directory and the file ({@code t-0/00000000000000000000.log:4096}).
 */
final class ServerPaths {
    /** A path of three or more segments; group 1 is its last two. */
    private static final Pattern PATH = Pattern.compile("(?:[^\\s/:'\"()\\[\\],=]*/)+([^\\s/:'\"()\\[\\],=]+/[^\\s/:'\"()\\[\\],=]+)");

    private ServerPaths() {
    }

    static String redact(String message) {
        return message == null ? null : PATH.matcher(message).replaceAll("$1");
    }
}
