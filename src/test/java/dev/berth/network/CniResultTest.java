package dev.berth.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CNI ADD result berth keeps and hands back: what the bridge plugin prints, read and written again. */
class CniResultTest {
    /** The bridge plugin's output (CNI 1.0.0) for a pod, as this machine's plugins print it. */
    static final String BRIDGE = """
            {"cniVersion":"1.0.0","interfaces":[{"name":"cni-berth0","mac":"ce:4d:7a:1e:2f:01"},\
            {"name":"veth1c2d3e4f","mac":"7a:11:22:33:44:55"},{"name":"eth0","mac":"aa:bb:cc:dd:ee:ff","sandbox":"/run/berth/netns/web"}],\
            "ips":[{"interface":2,"address":"10.89.0.7/16","gateway":"10.89.0.1"},{"interface":2,"address":"fd00::7/64","gateway":"fd00::1"}],\
            "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""";

    @Test
    void theAddressAndGatewayAreThePodsFirstIpv4() {
        CniResult r = CniResult.parse(Json.parseObject(BRIDGE));
        assertThat(r.address()).isEqualTo("10.89.0.7");
        assertThat(r.gateway()).isEqualTo("10.89.0.1");
        assertThat(r.interfaces()).extracting(CniResult.Interface::name).containsExactly("cni-berth0", "veth1c2d3e4f", "eth0");
        assertThat(r.dns()).isNull();
    }

    @Test
    void whatIsReadIsWrittenBackForTheNextPluginAndDel() {
        CniResult r = CniResult.parse(Json.parseObject(BRIDGE));
        assertThat(Json.write(r.json())).isEqualTo(BRIDGE.replace(",\"dns\":{}", ""));
        assertThat(CniResult.parse(r.json())).isEqualTo(r);
    }

    @Test
    void aResultWithoutIpv4HasNoAddress() {
        CniResult r = new CniResult("1.0.0", List.of(), List.of(new CniResult.Ip("fd00::7/64", "fd00::1", 0)), List.of(), null);
        assertThat(r.address()).isNull();
        assertThat(r.gateway()).isNull();
    }

    @Test
    void anAttachmentKeepsItsResultThroughTheState() {
        Attachment a = new Attachment("berth", "abc", List.of(new CniNetwork.PortMapping(8080, 80, "TCP", null)), CniResult.parse(Json.parseObject(BRIDGE)));
        assertThat(Attachment.parse(a.toJson())).isEqualTo(a);
        assertThat(Attachment.parse(a.withResult(null).toJson()).address()).isNull();
    }
}
