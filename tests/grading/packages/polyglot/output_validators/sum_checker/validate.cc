// Accepts one integer equal to the answer's, with any whitespace around it.
// Invoked as `validate input answer feedback_dir < team_output`.
#include <fstream>
#include <iostream>
#include <string>

#include "verdict.h"

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::ifstream answer_file(argv[2]);
    long long expected, got;
    answer_file >> expected;
    std::ofstream judge(std::string(argv[3]) + "/judgemessage.txt");
    if (!(std::cin >> got)) {
        judge << "expected an integer\n";
        return REJECT;
    }
    std::string extra;
    if (std::cin >> extra) {
        judge << "trailing output: " << extra << "\n";
        return REJECT;
    }
    if (got != expected) {
        judge << "expected " << expected << ", got " << got << "\n";
        return REJECT;
    }
    return ACCEPT;
}
