package dev.berth.api;

/** A port given by number or by the name of a container port, as probes and Service targetPorts allow. */
public record PortRef(int number, String name) {
    public PortRef {
        if ((name == null) == (number == 0)) {
            throw new IllegalArgumentException("a port reference is a number or a name");
        }
    }

    public static PortRef of(int number) {
        return new PortRef(number, null);
    }

    public static PortRef named(String name) {
        return new PortRef(0, name);
    }

    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        return isNamed() ? name : Integer.toString(number);
    }
}
