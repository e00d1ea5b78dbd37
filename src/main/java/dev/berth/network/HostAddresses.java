package dev.berth.network;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** The IPv4 networks the host's interfaces are on, as the kernel reports them now. */
final class HostAddresses {
    private HostAddresses() {}

    /**
     * The first host address whose network overlaps {@code subnet}, as {@code 10.89.0.1/16 on
     * berth0}, ignoring the interface {@code except} (the network's own bridge); null when none.
     */
    static String overlapping(Cidr subnet, String except) {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.getName().equals(except) || nic.isLoopback()) {
                    continue;
                }
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address v4) {
                        Cidr on = new Cidr(Cidr.address(v4.getHostAddress()), a.getNetworkPrefixLength());
                        if (on.overlaps(subnet)) {
                            return v4.getHostAddress() + "/" + a.getNetworkPrefixLength() + " on " + nic.getName();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            return null; // nothing to compare with: the CNI plugin will say what it finds
        }
        return null;
    }
}
