// C++ frames must print demangled: ns::Widget::run(int) <- main
#include <unistd.h>
#include <cstdio>

namespace ns {
struct Widget {
	__attribute__((noinline)) long run(int i) { return getppid() + i; }
};
}

int main()
{
	ns::Widget w;
	long s = 0;

	for (int i = 0; i < 2; i++)
		s += w.run(i);
	std::printf("widget %d\n", s > 0);
	return 0;
}
