package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.proc.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The named networks under berth's root: {@code networks/<name>.conflist}. */
public final class Networks {
    private final Path dir;
    private final Path ipam;
    private final ProcessRunner processes;

    public Networks(Path dir, Path ipam, ProcessRunner processes) {
        this.dir = dir;
        this.ipam = ipam;
        this.processes = processes;
    }

    /** Every network, the default one created on first use. */
    public List<CniNetwork> list() {
        CniNetwork.load(dir, ipam, CniNetwork.DEFAULT, processes);
        List<CniNetwork> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".conflist")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".conflist", "");
                all.add(CniNetwork.load(dir, ipam, name, processes));
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot list networks: " + e.getMessage(), e);
        }
        return all;
    }

    /**
     * Creates a bridge network. Without a subnet, the first free 10.89.N.0/24 (N from 1) is taken;
     * the bridge is {@code bn-<name>}, cut to the 15 characters Linux allows.
     */
    public CniNetwork create(String name, String subnet, String bridge) {
        if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || name.length() > 63) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "\"" + name + "\" is not a valid network name (a DNS-1123 label)");
        }
        if (Files.exists(dir.resolve(name + ".conflist"))) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "network \"" + name + "\" already exists");
        }
        List<CniNetwork> existing = list();
        if (subnet == null) {
            for (int n = 1; n < 255 && subnet == null; n++) {
                String candidate = "10.89." + n + ".0/24";
                if (existing.stream().noneMatch(x -> x.subnet().equals(candidate)) && !overlapsDefault(existing, candidate)) {
                    subnet = candidate;
                }
            }
        }
        if (subnet == null || !subnet.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "no usable subnet: give one with --subnet A.B.C.D/N");
        }
        String s = subnet;
        if (existing.stream().anyMatch(x -> x.subnet().equals(s))) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "subnet " + subnet + " is used by another network");
        }
        String[] ip = subnet.split("/")[0].split("\\.");
        String gateway = ip[0] + "." + ip[1] + "." + ip[2] + "." + (Integer.parseInt(ip[3]) + 1);
        String br = bridge != null ? bridge : ("bn-" + name).substring(0, Math.min(15, 3 + name.length()));
        try {
            CniNetwork.write(dir, CniNetwork.conflist(name, br, subnet, gateway, ipam));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot create network " + name + ": " + e.getMessage(), e);
        }
        return CniNetwork.load(dir, ipam, name, processes);
    }

    /** The default network's 10.89.0.0/16 contains every 10.89.N.0/24: only networks other than it count. */
    private static boolean overlapsDefault(List<CniNetwork> existing, String candidate) {
        return existing.stream().anyMatch(x -> x.name().equals(CniNetwork.DEFAULT) && !x.subnet().equals("10.89.0.0/16")
                && x.subnet().startsWith(candidate.substring(0, candidate.lastIndexOf('.'))));
    }

    public Map<String, Object> inspect(String name) {
        return CniNetwork.load(dir, ipam, name, processes).config();
    }

    /** Removes a network's configuration; the caller checks no pod uses it. */
    public void remove(String name) {
        if (name.equals(CniNetwork.DEFAULT)) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the default network cannot be removed");
        }
        CniNetwork.load(dir, ipam, name, processes);
        try {
            Files.deleteIfExists(dir.resolve(name + ".conflist"));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove network " + name + ": " + e.getMessage(), e);
        }
    }
}
