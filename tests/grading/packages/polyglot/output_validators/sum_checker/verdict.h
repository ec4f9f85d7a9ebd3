// Exit codes of the Kattis output validator protocol.
#pragma once
constexpr int ACCEPT = 42;
constexpr int REJECT = 43;
