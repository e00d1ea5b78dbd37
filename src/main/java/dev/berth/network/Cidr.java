package dev.berth.network;

import dev.berth.api.BerthException;

/** An IPv4 network, {@code 10.89.0.0/16}: the one type for berth's address arithmetic. */
public record Cidr(long base, int prefix) {
    public Cidr {
        if (prefix < 0 || prefix > 32 || base < 0 || base > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("not an IPv4 network: " + base + "/" + prefix);
        }
        base &= mask(prefix);
    }

    /** Parses {@code A.B.C.D/N}; the host bits are cleared. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        try {
            if (slash > 0) {
                return new Cidr(address(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new BerthException(BerthException.Kind.INVALID_INPUT, "\"" + text + "\" is not an IPv4 subnet (A.B.C.D/N)");
    }

    /** An IPv4 address as a number. */
    public static long address(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        long a = 0;
        for (String p : parts) {
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            a = a << 8 | Integer.parseInt(p);
        }
        return a;
    }

    public static String format(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : 0xFFFFFFFFL << (32 - prefix) & 0xFFFFFFFFL;
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    /** The address {@code offset} after the network's own (offset 1 is the gateway). */
    public String host(long offset) {
        if (offset < 0 || offset >= size()) {
            throw new IllegalArgumentException(offset + " is outside " + this);
        }
        return format(base + offset);
    }

    public boolean contains(String address) {
        return (address(address) & mask(prefix)) == base;
    }

    public boolean overlaps(Cidr other) {
        int p = Math.min(prefix, other.prefix);
        return (base & mask(p)) == (other.base & mask(p));
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefix;
    }
}
