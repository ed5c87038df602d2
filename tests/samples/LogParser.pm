package LogParser;

# Parses web server access logs into hashes and summarises status codes.
use strict;
use warnings;
use POSIX qw(strftime);

our $VERSION = '1.02';
my $LINE_RE = qr/^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-)/;

sub new {
    my ($class, %args) = @_;
    my $self = { lines => 0, errors => 0, statuses => {}, %args };
    return bless $self, $class;
}

sub parse_line {
    my ($self, $line) = @_;
    $self->{lines}++;
    my @fields = $line =~ $LINE_RE or do { $self->{errors}++; return };
    my %entry;
    @entry{qw(ip time method path status bytes)} = @fields;
    $entry{bytes} = 0 if $entry{bytes} eq '-';
    $self->{statuses}{ $entry{status} }++;
    return \%entry;
}

sub summary {
    my ($self) = @_;
    my @codes = sort keys %{ $self->{statuses} };
    return join ', ', map { "$_=$self->{statuses}{$_}" } @codes;
}

1;
