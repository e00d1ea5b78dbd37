package dev.berth.kubeapi;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The API's mutual TLS, one set per root, made on first use and kept in {@code <root>/api}
 * (mode 0700, each file 0600): a CA of its own, the server's certificate (for 127.0.0.1 and
 * localhost) and the client certificate a kubeconfig carries (user {@code berth}, group
 * {@code system:masters}, as kubeadm's admin). The server trusts only its own CA, so another
 * root's client certificate is refused. ECDSA P-256 keys: made in milliseconds, and what Go's TLS
 * and the JDK both speak.
 */
public record ApiCertificates(Pem ca, Pem server, Pem client) {
    /** A certificate and its key, as PEM text. */
    public record Pem(String certificate, String key) {}

    static final String CLIENT_USER = "berth";
    private static final Duration VALIDITY = Duration.ofDays(3650);

    /** The root's certificates, made when there are none (two commands at once: one set wins, both use it). */
    public static ApiCertificates ensure(Path dir) {
        try {
            if (!Files.exists(dir.resolve("client.crt"))) {
                make(dir);
            }
            return new ApiCertificates(read(dir, "ca"), read(dir, "server"), read(dir, "client"));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot make or read the API's certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Pem read(Path dir, String name) throws IOException {
        return new Pem(Files.readString(dir.resolve(name + ".crt")), Files.readString(dir.resolve(name + ".key")));
    }

    /** Makes the set in a temporary directory beside {@code dir}, then renames it into place. */
    private static void make(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir.getParent());
        Path temp = Files.createTempDirectory(dir.getParent(), ".api-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            KeyPair caKeys = keys();
            X500Name caName = new X500Name("CN=berth-ca@" + Long.toHexString(new SecureRandom().nextLong()));
            X509Certificate ca = sign(caName, caName, caKeys.getPublic(), caKeys.getPrivate(), true, null);
            write(temp, "ca", ca, caKeys);
            KeyPair serverKeys = keys();
            GeneralNames names = new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1"), new GeneralName(GeneralName.dNSName, "localhost")});
            write(temp, "server", sign(new X500Name("CN=berth-apiserver"), caName, serverKeys.getPublic(), caKeys.getPrivate(), false,
                    names), serverKeys);
            KeyPair clientKeys = keys();
            write(temp, "client", sign(new X500Name("O=system:masters,CN=" + CLIENT_USER), caName, clientKeys.getPublic(), caKeys.getPrivate(),
                    false, null), clientKeys);
            try {
                Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException raced) {
                if (!Files.exists(dir.resolve("client.crt"))) {
                    throw raced; // a directory without the set: not ours to replace
                }
            }
        } finally {
            if (Files.exists(temp)) {
                try (Stream<Path> files = Files.walk(temp)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A certificate for {@code subject}: a CA's own, or a server's ({@code names} given) or client's, signed by the CA. */
    private static X509Certificate sign(X500Name subject, X500Name issuer, java.security.PublicKey key, PrivateKey signer, boolean ca,
            GeneralNames names) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)), subject, key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(names != null ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        }
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        try {
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** The certificate, and the key as SEC1 ({@code EC PRIVATE KEY}, with its curve and public key): what Go, the JDK and fabric8 all read. */
    private static void write(Path dir, String name, X509Certificate certificate, KeyPair key) throws IOException {
        for (var file : new Object[][] {{name + ".crt", certificate}, {name + ".key", key}}) {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
                pem.writeObject(file[1] instanceof KeyPair pair ? sec1(pair) : file[1]);
            }
            Path path = dir.resolve((String) file[0]);
            Files.writeString(Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), text.toString());
        }
    }

    /** A key pair as SEC1 with its curve and public key (the JDK's own encoding leaves both out). */
    private static org.bouncycastle.util.io.pem.PemObject sec1(KeyPair pair) throws IOException {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo publicKey = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        var full = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), publicKey.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
        return new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", full.getEncoded());
    }

    /** The server's key and chain, for the TLS connector. */
    KeyStore serverKeyStore(char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", privateKey(server.key()), password, new X509Certificate[] {certificate(server.certificate()), certificate(ca.certificate())});
        return store;
    }

    /** What client certificates must be signed by: this root's CA only. */
    KeyStore trustStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate(ca.certificate()));
        return store;
    }

    /** A PEM certificate, read by the JDK (no BouncyCastle to load for a command that only checks the server). */
    static X509Certificate certificate(String pem) throws GeneralSecurityException {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** TLS that trusts this root's CA alone and shows no certificate: enough to know the root's own server answers. */
    public javax.net.ssl.SSLContext anonymousContext() {
        try {
            javax.net.ssl.TrustManagerFactory tm = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tm.init(trustStore());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, tm.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read the API's CA: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            return o instanceof PEMKeyPair pair ? converter.getKeyPair(pair).getPrivate()
                    : converter.getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) o);
        }
    }

    /** TLS for a client of this root's API: its client certificate, and trust in its CA only. */
    public javax.net.ssl.SSLContext clientContext() {
        try {
            char[] password = "berth".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", privateKey(client.key()), password, new X509Certificate[] {certificate(client.certificate())});
            javax.net.ssl.KeyManagerFactory km = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            km.init(keys, password);
            javax.net.ssl.TrustManagerFactory tm = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tm.init(trustStore());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot use the API's client certificate: " + e.getMessage(), e);
        }
    }
}
